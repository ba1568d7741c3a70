"""A real SMTP server for tests (aiosmtpd on loopback). Prints one JSON line per received
message: {"to": [...], "subject": ..., "body": ...} with the body decoded, plus "tls": whether
the message came over TLS.

    smtp_sink.py PORT                         plain SMTP
    smtp_sink.py PORT starttls CERT KEY       STARTTLS offered and required before mail
    smtp_sink.py PORT tls CERT KEY            TLS from the first byte
"""
import asyncio, email, email.policy, json, ssl, sys
from aiosmtpd.controller import Controller


class Sink:
    async def handle_DATA(self, server, session, envelope):
        msg = email.message_from_bytes(envelope.content, policy=email.policy.default)
        part = msg.get_body(preferencelist=("plain",)) or msg
        # After STARTTLS aiosmtpd records the session's TLS; with TLS from the first byte only
        # the transport knows.
        tls = session.ssl is not None or server.transport.get_extra_info("ssl_object") is not None
        print(json.dumps({"to": envelope.rcpt_tos, "subject": str(msg["subject"]), "body": part.get_content(), "tls": tls}, ensure_ascii=False), flush=True)
        return "250 OK"


if __name__ == "__main__":
    port = int(sys.argv[1])
    mode = sys.argv[2] if len(sys.argv) > 2 else "plain"
    options = {}
    if mode != "plain":
        context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        context.load_cert_chain(sys.argv[3], sys.argv[4])
        if mode == "starttls":
            options = {"tls_context": context, "require_starttls": True}
        else:
            options = {"ssl_context": context}
    controller = Controller(Sink(), hostname="127.0.0.1", port=port, **options)
    controller.start()
    print("READY", flush=True)
    try:
        asyncio.get_event_loop().run_forever()
    except KeyboardInterrupt:
        controller.stop()
