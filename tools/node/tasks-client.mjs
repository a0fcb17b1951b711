// The reference MCP Tasks requester (@modelcontextprotocol/ext-tasks) driving one tool call as a task.
//
//   node tasks-client.mjs URL TOOL ARGS_JSON [--answer accept|decline|cancel] [--content JSON] [--cancel-after MS]
//
// Prints one JSON line: {kind, taskId, statuses, inputs, outcome, result?, error?, snapshot?}.
// The TypeScript client SDK refuses to send tasks/* on a 2026-07-28 connection by itself, so ext-tasks
// takes a host-supplied `rawDispatch` (plain fetch here) and the per-request framing to put in `_meta`.
import { Client, StreamableHTTPClientTransport } from "@modelcontextprotocol/client";
import {
  createApplicationInputHandler,
  createTaskSessionFromClient,
  resultFromTaskOutcome,
} from "@modelcontextprotocol/ext-tasks/client";

const [url, tool, argsJson = "{}", ...rest] = process.argv.slice(2);
const flag = (name, fallback) => {
  const i = rest.indexOf(name);
  return i < 0 ? fallback : rest[i + 1];
};
const answer = flag("--answer", "accept");
const content = JSON.parse(flag("--content", "{}"));
const cancelAfter = flag("--cancel-after", undefined);
const PROTOCOL = "2026-07-28";
const clientInfo = { name: "ext-tasks-interop", version: "0.0.1" };
const clientCapabilities = { elicitation: { form: {} } };
const report = { statuses: [], inputs: [] };

const client = new Client(clientInfo, {
  capabilities: clientCapabilities,
  versionNegotiation: { mode: { pin: PROTOCOL } },
});
await client.connect(new StreamableHTTPClientTransport(new URL(url)));

let nextId = 1;
async function rawDispatch(request, options = {}) {
  const name = request.method === "tools/call" ? request.params?.name : undefined;
  const response = await fetch(url, {
    method: "POST",
    signal: options.signal,
    headers: {
      "Content-Type": "application/json",
      Accept: "application/json, text/event-stream",
      "MCP-Protocol-Version": PROTOCOL,
      "Mcp-Method": request.method,
      ...(name ? { "Mcp-Name": name } : {}),
      ...(options.context?.headers ?? {}), // tasks/*: Mcp-Name is the task id
    },
    body: JSON.stringify({ jsonrpc: "2.0", id: nextId++, ...request }),
  });
  const text = await response.text(); // errors come as HTTP 4xx with a JSON-RPC body
  const sse = /event-stream/.test(response.headers.get("content-type") ?? "");
  const message = JSON.parse(
    sse ? text.split("\n").filter((line) => line.startsWith("data:")).at(-1).slice(5) : text,
  );
  return message.error ? { kind: "error", error: message.error } : { kind: "result", result: message.result };
}

const session = createTaskSessionFromClient(client, {
  endpointId: `ext-tasks-interop:${url}`,
  rawDispatch,
  v2RequestFraming: { protocolVersion: PROTOCOL, clientInfo, clientCapabilities },
  onInputRequest: createApplicationInputHandler({
    elicitation: async (request, context) => {
      report.inputs.push({ key: context.inputId, message: request.params.message });
      return answer === "accept" ? { action: "accept", content } : { action: answer };
    },
    sampling: async () => {
      throw new Error("sampling is not part of this test");
    },
    roots: async () => ({ roots: [] }),
  }),
  onError: (error) => {
    report.backgroundError = error.message;
  },
});

try {
  const execution = await session.callTool(tool, JSON.parse(argsJson), { task: { preference: "require" } });
  report.kind = execution.kind;
  report.taskId = execution.handle?.taskId;
  if (cancelAfter !== undefined && execution.kind === "task") {
    setTimeout(() => execution.cancel().catch((error) => (report.cancelError = error.message)), Number(cancelAfter));
  }
  const { outcome } = await execution.settle({
    onEvent: (event) => event.type === "task" && report.statuses.push(event.task.status),
  });
  report.outcome = outcome.status;
  if (outcome.status === "completed") report.result = resultFromTaskOutcome(outcome);
  if (outcome.status === "failed") report.error = { code: outcome.error?.code, message: outcome.error?.message };
  if (execution.kind === "task") {
    // A stateless look-up by id, as after a client restart.
    report.snapshot = (await session.task(execution.handle.taskId).snapshot()).status;
  }
} catch (error) {
  report.thrown = error.message;
} finally {
  await session.close();
  await client.close();
}
console.log(JSON.stringify(report));
