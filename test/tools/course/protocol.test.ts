import assert from "node:assert/strict";
import { DELIMITER, decodeMessage, encodeMessage, newMessage, sign } from "../../../tools/course/protocol";

describe("course runner: Jupyter message signing", () => {
  it("matches the RFC 4231 HMAC-SHA256 test vector, also when the data is split into frames", () => {
    // RFC 4231, test case 2: key "Jefe", data "what do ya want for nothing?".
    const expected = "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843";
    assert.equal(sign("Jefe", ["what do ya want for nothing?"]), expected);
    assert.equal(sign("Jefe", ["what do ya want ", Buffer.from("for nothing?")]), expected);
  });

  it("signs the four JSON frames as jupyter_client's Session.sign does", () => {
    // Computed with /usr/bin/python3: jupyter_client.session.Session(key=b"0123456789abcdef").sign(frames).
    const frames = ['{"msg_id":"m1","msg_type":"execute_request"}', "{}", "{}", '{"code":"1+1"}'];
    assert.equal(
      sign("0123456789abcdef", frames),
      "8572747e8649478f05a16615615476a0cb6fd3be35619fe48d509c544cee09a7",
    );
  });

  it("encodes frames that decode back (skipping a routing prefix) and rejects tampering", () => {
    const msg = newMessage("execute_request", "session-1", { code: "console.log('ü')" });
    const frames = encodeMessage("k3y", msg);
    assert.ok(frames[0].equals(DELIMITER));
    assert.equal(frames[1].toString(), sign("k3y", frames.slice(2, 6)));
    const decoded = decodeMessage("k3y", [Buffer.from("routing-id"), ...frames]);
    assert.deepEqual(decoded.content, msg.content);
    assert.equal(decoded.header.msg_id, msg.header.msg_id);
    const tampered = [...frames];
    tampered[5] = Buffer.from('{"code":"evil()"}');
    assert.throws(() => decodeMessage("k3y", tampered), /bad signature/);
    assert.throws(() => decodeMessage("other key", frames), /bad signature/);
    assert.throws(() => decodeMessage("k3y", frames.slice(1)), /malformed/);
  });
});
