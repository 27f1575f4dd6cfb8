// The console in a real browser: Debian's chromium, headless, driven by playwright-core.
//
//   node tests/browser/console.mjs http://127.0.0.1:8080      (a hub serving the console with the mock provider)
//
// Checks on every page it visits: no request leaves the hub's origin (the identity provider's sign-in page is the one
// other origin allowed, and only while signing in), no JavaScript error or CSP violation in the console, and axe-core's
// WCAG 2.1 A/AA rules pass. Screenshots go to docs/console/.
//
// The steps are data (FLOW below), each naming the page it needs: a step whose page the hub does not serve yet is
// reported as skipped, unless LGSP_BROWSER_STRICT=1 (then it fails). Selectors are labels and accessible names, so a
// change of markup rarely needs a change here; a change of wording does, in one place.
import { readFileSync, mkdirSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { createRequire } from "node:module";
import { chromium } from "playwright-core";

const here = dirname(fileURLToPath(import.meta.url));
const require = createRequire(import.meta.url);
const base = (process.argv[2] || "http://127.0.0.1:8080").replace(/\/$/, "");
const hub = new URL(base).origin;
const strict = process.env.LGSP_BROWSER_STRICT === "1";
const shots = join(here, "..", "..", "docs", "console");
mkdirSync(shots, { recursive: true });
const axeSource = readFileSync(require.resolve("axe-core/axe.min.js"), "utf8");

const failures = [];
const fail = (message) => {
  failures.push(message);
  console.error(`FAIL ${message}`);
};

const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM || "/usr/bin/chromium",
  headless: true,
  // Root in CI: chromium's sandbox needs a user namespace the container may not give.
  args: ["--no-sandbox", "--disable-dev-shm-usage"],
});
const context = await browser.newContext({ locale: "vi-VN", viewport: { width: 1280, height: 900 } });
let identityProvider = null; // learned from the first redirect to it
let signingIn = false;

context.on("request", (request) => {
  const url = request.url();
  if (url.startsWith("data:") || url.startsWith("about:")) return;
  const origin = new URL(url).origin;
  if (origin === hub) return;
  if (signingIn && (identityProvider === null || origin === identityProvider)) {
    identityProvider = origin;
    return;
  }
  fail(`request left the hub's origin: ${request.method()} ${url}`);
});

const page = await context.newPage();
page.on("console", (msg) => {
  if (msg.type() === "error" && new URL(page.url()).origin === hub) fail(`console error on ${page.url()}: ${msg.text()}`);
});
page.on("pageerror", (error) => fail(`JavaScript error on ${page.url()}: ${error.message}`));

/** axe-core's WCAG 2.1 A and AA rules on the page as it is. Injected through the debugger protocol, which the
 * page's CSP does not govern (an injected <script> would be refused, rightly). */
async function accessible(name) {
  await page.evaluate(`${axeSource}\n;0`);
  const result = await page.evaluate(() =>
    globalThis.axe.run(document, { runOnly: { type: "tag", values: ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"] } }),
  );
  for (const v of result.violations) {
    fail(`${name}: axe ${v.id} (${v.impact}): ${v.help} — ${v.nodes.map((n) => n.target.join(" ")).slice(0, 3).join("; ")}`);
  }
}

async function visit(path) {
  return page.goto(`${base}${path}`);
}

async function shot(name) {
  await page.screenshot({ path: join(shots, `${name}.png`), fullPage: true });
}

/** Signs in as the demo user whose name is `person` through the mock provider's sign-in page. */
async function signIn(person) {
  // A fresh browser session per user: sign-out is tested over HTTP (tests/api/console/auth.rs).
  await context.clearCookies();
  signingIn = true;
  await page.goto(`${base}/console/sign-in?next=/console`);
  await page.getByRole("button", { name: new RegExp(person) }).click();
  await page.waitForURL((url) => url.origin === hub);
  signingIn = false;
  if (!(await page.getByText(person).first().isVisible())) fail(`${person} is not greeted after sign-in`);
}

/** Whether the hub serves `path` to the signed-in user (a page console-work builds may not be there yet). */
async function served(path) {
  const r = await page.request.get(`${base}${path}`, { maxRedirects: 0 });
  return r.status() !== 404;
}

// The end-to-end path of issue 14, one step per role. `page` is what the step needs; `run` does it.
const state = {
  systemName: `Hệ thống thử nghiệm trình duyệt ${Date.now()}`,
  decision: `${Date.now() % 1000}/QĐ-UBND`,
  lookupReference: `KT-KET-NOI-${Date.now()}`,
};
const FLOW = [
  {
    name: "catalog (public)",
    page: "/console",
    run: async () => {
      await visit("/console");
      await accessible("catalog");
      await shot("catalog");
    },
  },
  {
    name: "sign in as the department's operator",
    page: "/console/sign-in",
    run: async () => {
      signingIn = true;
      await page.goto(`${base}/console/sign-in?next=/console`);
      await shot("sign-in-mock-provider");
      signingIn = false;
      await signIn("Nguyễn Thị Lan");
      await accessible("signed in");
      await shot("signed-in");
    },
  },
  {
    name: "operator registers a system and proposes level 3",
    page: "/console/agency",
    run: async () => {
      await visit("/console/agency");
      await accessible("my agency's systems");
      await page.getByRole("link", { name: "Đăng ký hệ thống mới" }).click();
      await page.getByLabel(/^Tên hệ thống/).fill(state.systemName);
      await page.getByRole("button", { name: "Đăng ký hệ thống mới" }).click();
      // The register form answers with the new system's page, whose address carries its code.
      await page.waitForURL(/\/console\/agency\/systems\/[^/]+$/);
      state.code = decodeURIComponent(new URL(page.url()).pathname.split("/").pop());
      await page.getByRole("heading", { name: state.systemName }).first().waitFor();
      await page.getByLabel("Cấp độ", { exact: true }).selectOption("3");
      await page.getByRole("button", { name: "Đề xuất cấp độ" }).click();
      await page.getByText("Đã đề xuất, chờ thẩm định").first().waitFor();
      await accessible("agency system");
      await shot("agency-system");
    },
  },
  {
    name: "information-security unit appraises",
    page: "/console/approvals",
    run: async () => {
      await signIn("Trần Văn Minh");
      await visit("/console/approvals");
      await accessible("approvals inbox");
      await shot("approvals-inbox");
      await page.getByRole("link", { name: state.systemName }).first().click();
      await page.getByLabel("Ý kiến thẩm định").fill("Đạt yêu cầu an toàn thông tin cấp độ 3");
      await page.getByRole("button", { name: "Thẩm định cấp độ" }).click();
      await page.getByText("Đã thẩm định").first().waitFor();
      await shot("approvals-appraise");
    },
  },
  {
    name: "People's Committee approves with a decision number",
    page: "/console/approvals",
    run: async () => {
      await signIn("Lê Văn Hùng");
      await visit("/console/approvals");
      await page.getByRole("link", { name: state.systemName }).first().click();
      await accessible("approval");
      await page.getByLabel("Số quyết định").fill(state.decision);
      await page.getByLabel("Ngày quyết định").fill("2026-12-01");
      await page.getByRole("button", { name: "Phê duyệt cấp độ" }).click();
      await page.getByText("Đã phê duyệt").first().waitFor();
      await page.getByText(state.decision).first().waitFor();
      await shot("approvals-approve");
    },
  },
  {
    name: "the catalog shows level 3",
    page: "/console/systems",
    run: async () => {
      await visit(`/console/systems?q=${encodeURIComponent(state.systemName)}`);
      const row = page.getByRole("row").filter({ hasText: state.code });
      await row.first().waitFor();
      // Columns: name, agency, level, state, province.
      const level = (await row.first().getByRole("cell").nth(2).innerText()).trim();
      if (level !== "3") fail(`the catalog shows level ${JSON.stringify(level)} for ${state.code}, not 3`);
      const approval = await row.first().getByRole("cell").nth(3).innerText();
      if (!approval.includes("Đã phê duyệt") || !approval.includes(state.decision)) {
        fail(`the catalog shows ${JSON.stringify(approval)} for ${state.code}, not approved with ${state.decision}`);
      }
      await accessible("catalog systems");
      await shot("catalog-systems");
    },
  },
  {
    name: "integrator tests the population connection",
    page: "/console/integrator",
    run: async () => {
      await signIn("Phạm Thị Hoa");
      await visit("/console/integrator");
      await accessible("integrator");
      await shot("integrator");
      await page.getByLabel("Cơ sở dữ liệu", { exact: true }).selectOption("population");
      await page.getByRole("button", { name: "Kiểm tra kết nối" }).click();
      await page.getByText("Kết nối thành công.").waitFor();
      await page.getByRole("row").filter({ hasText: /\d+\.\d ms/ }).first().waitFor();
      await accessible("connection test");
      await shot("integrator-test");
      // Then a real lookup through the connection, with a declared purpose: what the auditor must find.
      await page.getByRole("link", { name: /tra cứu thử/i }).first().click();
      await page.getByLabel("Số hồ sơ, vụ việc hoặc văn bản đồng ý").fill(state.lookupReference);
      await page.getByRole("button", { name: "Tra cứu thử" }).click();
      await page.getByText("đã được ghi vào nhật ký truy cập").first().waitFor();
      await accessible("example lookup");
      await shot("integrator-try");
    },
  },
  {
    name: "auditor finds the access-log entries of that test",
    page: "/console/audit",
    run: async () => {
      await signIn("Võ Văn Nam");
      await visit("/console/audit");
      await accessible("auditor");
      // The integrator's own entries (demo-integrator is Phạm Thị Hoa's subject at the mock provider), not any.
      await page.getByLabel("Người tra cứu", { exact: true }).fill("demo-integrator");
      await page.getByLabel("Cơ sở dữ liệu", { exact: true }).fill("population");
      await page.getByRole("button", { name: "Lọc" }).click();
      await page.getByRole("row").filter({ hasText: state.lookupReference }).filter({ hasText: "population" }).first().waitFor();
      await shot("auditor");
    },
  },
  {
    name: "administrator adds an agency the plans do not list",
    page: "/console/admin/agencies/new",
    run: async () => {
      await signIn("Đặng Thị Mai");
      await visit("/console/admin");
      await page.getByRole("link", { name: "Thêm cơ quan, đơn vị" }).click();
      await accessible("new agency");
      // (A refused form answers 422, which the browser reports as a failed load: its messages are tested over HTTP.)
      const name = "Trung tâm Giám sát, điều hành đô thị thông minh tỉnh Quảng Ngãi";
      await page.getByLabel(/^Tên/).fill(name);
      await page.getByLabel("Loại cơ quan").selectOption("DON_VI_SU_NGHIEP");
      await page.getByLabel("Tỉnh", { exact: true }).selectOption("51");
      await page.getByRole("button", { name: "Tạo" }).click();
      await page.waitForURL(/\/console\/admin\/agencies\/(?!new)[^/]+$/);
      if ((await page.getByRole("heading", { level: 1 }).textContent()) !== name) {
        fail(`the new agency's page does not carry its name exactly`);
      }
    },
  },
];

let ran = 0;
let skipped = 0;
let pending = 0;
for (const step of FLOW) {
  if (step.pending) {
    // A declared gap is reported on every run; in strict mode (CI) it fails, so the path is walked in full.
    if (strict) fail(`${step.name} is pending: ${step.pending}`);
    else console.log(`PENDING ${step.name}: ${step.pending}`);
    pending += 1;
    continue;
  }
  if (!(await served(step.page))) {
    if (strict) fail(`${step.name}: ${step.page} is not served`);
    else console.log(`skip ${step.name}: ${step.page} is not served yet`);
    skipped += 1;
    continue;
  }
  try {
    await step.run();
    console.log(`ok   ${step.name}`);
    ran += 1;
  } catch (error) {
    fail(`${step.name}: ${error.message.split("\n")[0]}`);
  }
}

await browser.close();
console.log(`${ran} passed, ${failures.length} failed, ${skipped} skipped, ${pending} pending`);
process.exit(failures.length === 0 ? 0 : 1);
