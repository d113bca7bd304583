/**
 * `npm run playground [-- --port N]`: builds the browser bundle and serves the playground page on 127.0.0.1
 * (default port 8080) until Ctrl-C. Open the printed address in a browser with WebGPU (Chrome, Edge; Firefox
 * and Safari where enabled) or any other (WASM). Nothing is fetched from outside.
 */
import { buildWeb } from "./build";
import { BUILD_BASE_HINT, baseModelDir, serveWeb } from "./serve";

async function main(): Promise<void> {
  const i = process.argv.indexOf("--port");
  const port = i >= 0 ? Number(process.argv[i + 1]) : Number(process.env.PORT ?? 8080);
  if (!Number.isInteger(port) || port < 0 || port > 65535)
    throw new Error(`--port must be 0–65535, got ${port}`);
  const built = await buildWeb();
  const server = await serveWeb(port);
  const model = baseModelDir();
  console.log(`playground: ${server.url}/playground.html`);
  console.log(
    `  WebGPU backend in the bundle: ${built.webgpu ? "yes" : "no (optional dependency not installed)"}`,
  );
  console.log(
    model
      ? `  attention panel: the base model in ${model}`
      : `  attention panel: no base model built yet — ${BUILD_BASE_HINT}`,
  );
  console.log("  Ctrl-C stops the server.");
}

main().catch((err: unknown) => {
  console.error(`playground: ${err instanceof Error ? err.message : String(err)}`);
  process.exit(1);
});
