// Print the command an MCPB host runs for an unpacked bundle: its manifest's mcp_config resolved by
// the reference implementation (getMcpConfigForManifest from @anthropic-ai/mcpb), with ${__dirname}
// and the user's settings substituted. Prints null when a required setting is missing (the host
// then does not start the server).
//   node tools/node/host-config.mjs BUNDLE_DIR '{"sandbox": true}'
import { readFileSync } from "node:fs";
import { join, resolve, sep } from "node:path";
import { getMcpConfigForManifest } from "@anthropic-ai/mcpb";

const [dir, userConfigJson = "{}"] = process.argv.slice(2);
const extensionPath = resolve(dir);
const manifest = JSON.parse(readFileSync(join(extensionPath, "manifest.json"), "utf8"));
const config = await getMcpConfigForManifest({
  manifest,
  extensionPath,
  systemDirs: {},
  userConfig: JSON.parse(userConfigJson),
  pathSeparator: sep,
});
process.stdout.write(JSON.stringify(config ?? null) + "\n");
