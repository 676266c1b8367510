// Reads `supabase db advisors` JSON on stdin and fails on any finding that scripts/advisors-allowlist.txt does
// not name (by rule name or cache_key).
import { readFileSync } from "node:fs";

const allowlist = new Set(
  readFileSync(new URL("./advisors-allowlist.txt", import.meta.url), "utf8")
    .split("\n")
    .map((line) => line.replace(/#.*/, "").trim())
    .filter(Boolean),
);
const input = readFileSync(0, "utf8").trim();
const findings = input ? JSON.parse(input) : [];
const blocking = findings.filter((f) => !allowlist.has(f.name) && !allowlist.has(f.cache_key));
for (const f of blocking) console.log(`${f.level} ${f.name}: ${f.detail}`);
console.log(
  `advisors: ${findings.length} findings, ${
    findings.length - blocking.length
  } allowlisted, ${blocking.length} blocking`,
);
process.exit(blocking.length === 0 ? 0 : 1);
