// The supergraph Hive Gateway serves in bench/federation.sh: the mock population service's own OpenAPI, composed by
// @graphql-mesh/compose-cli into a GraphQL subgraph. The same headers as the direct run (a static bearer token of the
// mock and the caller's agency and purpose); no auth on the gateway, no log. MOCK_URL and MOCK_TOKEN come from the
// script.
import { defineConfig } from '@graphql-mesh/compose-cli';
import { loadOpenAPISubgraph } from '@omnigraph/openapi';

const mock = process.env.MOCK_URL ?? 'http://127.0.0.1:8081';

export const composeConfig = defineConfig({
  subgraphs: [
    {
      sourceHandler: loadOpenAPISubgraph('population', {
        source: `${mock}/population/openapi.json`,
        endpoint: `${mock}/population`,
        operationHeaders: {
          Authorization: `Bearer ${process.env.MOCK_TOKEN ?? ''}`,
          'X-Client-Agency': '000.00.00.H48',
          'X-Purpose': 'PUBLIC_SERVICE; ref=HS-1',
        },
      }),
    },
  ],
});
