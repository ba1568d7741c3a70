"""A real SMTP server for tests (aiosmtpd on loopback). Prints one JSON line per received
message: {"to": [...], "subject": ..., "body": ...} with the body decoded."""
import asyncio, email, email.policy, json, sys
from aiosmtpd.controller import Controller


class Sink:
    async def handle_DATA(self, server, session, envelope):
        msg = email.message_from_bytes(envelope.content, policy=email.policy.default)
        part = msg.get_body(preferencelist=("plain",)) or msg
        print(json.dumps({"to": envelope.rcpt_tos, "subject": str(msg["subject"]), "body": part.get_content()}, ensure_ascii=False), flush=True)
        return "250 OK"


if __name__ == "__main__":
    port = int(sys.argv[1])
    controller = Controller(Sink(), hostname="127.0.0.1", port=port)
    controller.start()
    print("READY", flush=True)
    try:
        asyncio.get_event_loop().run_forever()
    except KeyboardInterrupt:
        controller.stop()
