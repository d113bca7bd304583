import { strict as assert } from "node:assert";
import { WriteDisplayData, pendingDisplays, sendDisplay } from "../../src/plot/sink";

/** A cell's write function whose socket is busy for the first `busyFor` calls (zeromq 6 throws EBUSY then). */
function fakeWrite(busyFor: number): {
  write: WriteDisplayData;
  sent: Array<{ text: unknown; update: boolean }>;
} {
  const sent: Array<{ text: unknown; update: boolean }> = [];
  let calls = 0;
  const write: WriteDisplayData = (content, update) => {
    calls++;
    if (calls <= busyFor)
      throw Object.assign(new Error("Socket is busy writing; only one send operation may be in progress"), {
        code: "EBUSY",
      });
    sent.push({ text: content.data["text/plain"], update });
  };
  return { write, sent };
}

const waitFor = async (cond: () => boolean): Promise<void> => {
  for (let i = 0; i < 200 && !cond(); i++) await new Promise((r) => setTimeout(r, 5));
};

describe("plot/sink: a busy kernel socket", () => {
  it("sends at once when the socket is free", () => {
    const { write, sent } = fakeWrite(0);
    sendDisplay(write, { "text/plain": "a" }, "id-free", false);
    assert.deepEqual(sent, [{ text: "a", update: false }]);
    assert.equal(pendingDisplays(), 0);
  });

  it("retries a display that met EBUSY, and a newer frame replaces the waiting one", async () => {
    const { write, sent } = fakeWrite(3);
    sendDisplay(write, { "text/plain": "frame 1" }, "id-busy", false); // busy: waits (the display itself)
    sendDisplay(write, { "text/plain": "frame 2" }, "id-busy", true); // busy again: replaces frame 1
    assert.equal(pendingDisplays(), 1);
    assert.deepEqual(sent, []);
    await waitFor(() => pendingDisplays() === 0);
    // Only the latest frame went out, and as a new display: the first one never reached the front end.
    assert.deepEqual(sent, [{ text: "frame 2", update: false }]);
  });

  it("other errors are not swallowed", () => {
    const write: WriteDisplayData = () => {
      throw new Error("closed");
    };
    assert.throws(() => sendDisplay(write, { "text/plain": "x" }, "id-err", false), /closed/);
    assert.equal(pendingDisplays(), 0);
  });
});
