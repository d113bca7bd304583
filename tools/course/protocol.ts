/**
 * The Jupyter messaging protocol's wire format (version 5.3), as far as a notebook runner needs it:
 * connection files, message headers, HMAC-SHA256 signatures, and encoding to / decoding from zeromq frames.
 *
 * Wire format (https://jupyter-client.readthedocs.io/en/latest/messaging.html#the-wire-protocol):
 * `[routing ids…, "<IDS|MSG>", hmac hex, header, parent_header, metadata, content, buffers…]`, where the
 * signature is HMAC-SHA256 over the four JSON frames in that order, keyed by the connection file's `key`.
 */
import { createHmac, randomBytes, randomUUID } from "node:crypto";

/** The delimiter frame between zeromq routing ids and the signed message. */
export const DELIMITER = Buffer.from("<IDS|MSG>");

/** The contents of a kernel connection file (what Jupyter passes to a kernel as `{connection_file}`). */
export interface ConnectionInfo {
  transport: "tcp";
  ip: string;
  shell_port: number;
  iopub_port: number;
  stdin_port: number;
  control_port: number;
  hb_port: number;
  key: string;
  signature_scheme: "hmac-sha256";
  kernel_name: string;
}

export interface MessageHeader {
  msg_id: string;
  session: string;
  username: string;
  date: string;
  msg_type: string;
  version: string;
}

/** One decoded Jupyter message. `content` is left loosely typed: each msg_type has its own shape. */
export interface JupyterMessage<C = Record<string, unknown>> {
  header: MessageHeader;
  /** The header of the request this message answers; `{}` for a request. */
  parent_header: Partial<MessageHeader>;
  metadata: Record<string, unknown>;
  content: C;
  buffers: Buffer[];
}

/** HMAC-SHA256 (hex) over the given frames, in order; the empty string when `key` is empty (signing off). */
export function sign(key: string, frames: ReadonlyArray<string | Buffer>): string {
  if (key === "") return "";
  const hmac = createHmac("sha256", key);
  for (const f of frames) hmac.update(f);
  return hmac.digest("hex");
}

/** A fresh request message of `msgType` for `session`. */
export function newMessage<C>(msgType: string, session: string, content: C): JupyterMessage<C> {
  return {
    header: {
      msg_id: randomUUID(),
      session,
      username: "llm-ts",
      date: new Date().toISOString(),
      msg_type: msgType,
      version: "5.3",
    },
    parent_header: {},
    metadata: {},
    content,
    buffers: [],
  };
}

/** Frames to send on a Dealer socket (the Router on the kernel side adds our routing id). */
export function encodeMessage(key: string, msg: JupyterMessage<unknown>): Buffer[] {
  const body = [msg.header, msg.parent_header, msg.metadata, msg.content].map((p) =>
    Buffer.from(JSON.stringify(p), "utf8"),
  );
  return [DELIMITER, Buffer.from(sign(key, body), "ascii"), ...body, ...msg.buffers];
}

/**
 * Decodes received frames (any routing-id prefix, e.g. the topic on iopub, is skipped) and verifies the
 * signature. Throws when the delimiter is missing or the signature does not match.
 */
export function decodeMessage(key: string, frames: ReadonlyArray<Buffer>): JupyterMessage {
  const at = frames.findIndex((f) => f.equals(DELIMITER));
  if (at < 0 || frames.length < at + 6) {
    throw new Error(`malformed Jupyter message: ${frames.length} frames, delimiter at ${at}`);
  }
  const signature = frames[at + 1].toString("ascii");
  const body = frames.slice(at + 2, at + 6);
  const expected = sign(key, body);
  if (signature !== expected) {
    throw new Error(`Jupyter message with a bad signature (${signature.slice(0, 16)}…); wrong key?`);
  }
  const [header, parent, metadata, content] = body.map((b) => JSON.parse(b.toString("utf8")));
  return { header, parent_header: parent, metadata, content, buffers: frames.slice(at + 6) };
}

/** A random connection key, as Jupyter makes them (a UUID-like hex string). */
export function newKey(): string {
  return randomBytes(16).toString("hex");
}
