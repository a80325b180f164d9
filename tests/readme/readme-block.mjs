// Prints the first fenced code block of one language in a README section, so the README tests
// run exactly what a reader copies.
//
//   node tests/readme/readme-block.mjs "### Try it with curl" sh
import { readFileSync } from "node:fs";

const [heading, language] = process.argv.slice(2);
const lines = readFileSync(new URL("../../README.md", import.meta.url), "utf8").split("\n");
const start = lines.indexOf(heading);
let block = null;
for (let i = start + 1; start >= 0 && i < lines.length; i++) {
  if (block === null && lines[i].startsWith("#")) break; // the next section
  if (block === null && lines[i] === "```" + language) block = [];
  else if (block !== null && lines[i] === "```") break;
  else if (block !== null) block.push(lines[i]);
}
if (!block) {
  console.error(`README.md has no \`\`\`${language} block under ${JSON.stringify(heading)}`);
  process.exit(1);
}
console.log(block.join("\n"));
