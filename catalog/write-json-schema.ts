import * as fs from "node:fs";
import * as path from "node:path";
import { renderServiceJsonSchema } from "./json-schema";

// `npm run schema`: regenerate services/service.schema.json after changing the zod schema.
const target = path.join(__dirname, "..", "services", "service.schema.json");
fs.mkdirSync(path.dirname(target), { recursive: true });
fs.writeFileSync(target, renderServiceJsonSchema());
console.log(`wrote ${path.relative(process.cwd(), target)}`);
