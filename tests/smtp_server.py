"""A mail server for tests, on a local port: it can stall (accept connections and never answer,
as a slow or broken relay does) and be released to speak enough SMTP to take messages."""

import socket
import threading
from email import message_from_bytes
from email.message import Message


class FakeSMTPServer:
    def __init__(self):
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.port = self.listener.getsockname()[1]
        self.answering = threading.Event()
        self.connections = 0
        self.messages: list[Message] = []
        self.stopped = False
        self.thread = threading.Thread(target=self.accept, daemon=True)

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.stopped = True
        self.answering.set()
        self.listener.close()

    def release(self) -> None:
        """From now on, answer: connections already stalled time out on the client's side."""
        self.answering.set()

    def accept(self) -> None:
        while not self.stopped:
            try:
                client, _ = self.listener.accept()
            except OSError:
                return
            self.connections += 1
            threading.Thread(target=self.serve, args=(client,), daemon=True).start()

    def serve(self, client: socket.socket) -> None:
        with client:
            if not self.answering.is_set():
                # Stalled: hold the connection open, say nothing, until the client gives up.
                self.answering.wait()
                return
            stream = client.makefile("rb")
            client.sendall(b"220 fake ESMTP\r\n")
            data_mode, lines = False, []
            for raw in stream:
                if data_mode:
                    if raw in (b".\r\n", b".\n"):
                        self.messages.append(message_from_bytes(b"".join(lines)))
                        data_mode, lines = False, []
                        client.sendall(b"250 queued\r\n")
                    else:
                        lines.append(raw[1:] if raw.startswith(b"..") else raw)
                    continue
                command = raw[:4].upper()
                if command == b"DATA":
                    data_mode = True
                    client.sendall(b"354 go ahead\r\n")
                elif command == b"QUIT":
                    client.sendall(b"221 bye\r\n")
                    return
                elif command == b"EHLO":
                    client.sendall(b"250 fake\r\n")
                else:
                    client.sendall(b"250 ok\r\n")
