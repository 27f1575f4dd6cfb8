// GraphQL-over-HTTP conformance audit of a running lgsp-hub: `node audit.mjs http://127.0.0.1:8080/graphql`.
// Prints one line per check; MUST checks that fail fail the run, SHOULD/MAY checks that fail are reported as warnings.
import { auditServer } from 'graphql-http';

const url = process.argv[2];
if (!url) {
  console.error('usage: node audit.mjs <graphql url>');
  process.exit(2);
}

const results = await auditServer({ url });
let passed = 0;
let failed = 0;
let warned = 0;
for (const r of results) {
  if (r.status === 'ok') {
    passed += 1;
    console.log(`ok    ${r.name}`);
    continue;
  }
  const must = r.name.startsWith('MUST');
  if (must) failed += 1;
  else warned += 1;
  let body = '';
  try {
    body = await r.response.text();
  } catch {
    body = '';
  }
  console.log(`${must ? 'FAIL' : 'warn'}  ${r.name}: ${r.reason} (HTTP ${r.response.status}) ${body.slice(0, 200)}`);
}
console.log(`${warned} SHOULD/MAY checks not met`);
console.log(`${passed} passed, ${failed} failed`);
process.exit(failed > 0 ? 1 : 0);
