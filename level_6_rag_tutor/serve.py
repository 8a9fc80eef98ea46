"""Step 6.3 - Run the tutor as a web app your class can open in a browser (also: buildai serve).

    python serve.py                                  # http://127.0.0.1:8000, only this computer
    python serve.py --host 0.0.0.0 --port 8000       # every computer on the school network
    python serve.py --teacher-password "choose-one"  # the teacher page's password (else one is made up)
    python serve.py --database-url postgresql+psycopg://tutor:secret@localhost/tutor   # a school server

It starts with no set-up: SQLite in outputs/, BM25 over the notes, and your fine-tuned Level 5 model if
there is one (otherwise the tutor answers from the notes). The teacher page is /teacher (user name:
teacher), and /docs describes the API. Ctrl-C stops it; every stored message stays stored.
"""

from __future__ import annotations

import os
import secrets
import socket

from buildai import script, ui
from buildai.errors import UserError
from level_6_rag_tutor.storage import Storage, default_url
from level_6_rag_tutor.tutor_setup import add_tutor_flags, build_tutor

PASSWORD_ENV = "BUILDAI_TEACHER_PASSWORD"


def build_parser():
    parser = script.step_parser("Run the tutor as a web app.", text_flag=False)
    add_tutor_flags(parser)
    parser.add_argument("--host", default="127.0.0.1",
                        help="which network to listen on: 127.0.0.1 (default) = this computer only, 0.0.0.0 = all")
    parser.add_argument("--port", type=script.positive_int, default=8000, help="the port (default 8000)")
    parser.add_argument("--database-url", default=None, metavar="URL",
                        help="where to keep conversations (default: SQLite in the level's outputs folder)")
    parser.add_argument("--teacher-password", default=None, metavar="PASSWORD",
                        help=f"password of the teacher page (or set ${PASSWORD_ENV}; default: a new random one)")
    parser.add_argument("--rate-limit", type=script.non_negative_int, default=30, metavar="N",
                        help="questions and 👍/👎 ratings a minute one computer may send (default 30; 0 = no limit)")
    return parser


def check_port_free(host: str, port: int) -> None:
    """A clear message now, instead of a server error after everything has loaded."""
    with socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET) as probe:
        try:
            probe.bind((host, port))
        except OSError:
            raise UserError(f"Port {port} on {host} is already in use (is the tutor already running?). "
                            f"Stop the other program, or choose another port: --port {port + 1}") from None


def network_address() -> str:
    """This computer's address on the school network, which the students' computers type in.

    Connecting a UDP socket sends nothing; it only makes the system choose the network card it would use.
    """
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
        try:
            probe.connect(("10.254.254.254", 1))
            return probe.getsockname()[0]
        except OSError:  # no network at all: only this computer can reach the tutor anyway
            return "127.0.0.1"


def main(argv: list[str] | None = None) -> None:
    args = script.start_step(build_parser(), argv)
    if args.port > 65535:
        raise UserError(f"--port {args.port} is not a port: use a number from 1 to 65535, e.g. 8000.")
    check_port_free(args.host, args.port)
    ui.heading("Step 6.3 - The AI tutor, on the web", "A chat for the class, a page for the teacher")
    storage = Storage(args.database_url or default_url(args.out_dir))  # first: a wrong address fails at once
    tutor, model = build_tutor(args)
    password = args.teacher_password or os.environ.get(PASSWORD_ENV) or secrets.token_urlsafe(9)

    import uvicorn

    from level_6_rag_tutor.web import create_app

    app = create_app(tutor, storage, password, rate_limit=args.rate_limit, model_name=model)
    shown_host = network_address() if args.host in ("0.0.0.0", "::") else args.host  # 0.0.0.0 opens nothing
    ui.result("Model", model)
    ui.result("Database", storage.safe_url)
    ui.result("Chat page", f"http://{shown_host}:{args.port}/")
    ui.result("Teacher page", f"http://{shown_host}:{args.port}/teacher  (user: teacher)")
    if not (args.teacher_password or os.environ.get(PASSWORD_ENV)):
        ui.result("Teacher password", f"{password}  (new each start; choose one with --teacher-password)")
    if args.host not in ("127.0.0.1", "localhost", "::1"):
        ui.warn(f"Listening on {args.host}: other computers on this network can open the tutor.")
    ui.say("Press Ctrl-C to stop.")
    # uvicorn finishes the answers in progress before it stops (timeout_graceful_shutdown), and every message
    # was committed to the database as it was made, so stopping loses nothing that was stored.
    uvicorn.run(app, host=args.host, port=args.port, log_level="warning", timeout_graceful_shutdown=10)
    ui.say("The tutor has stopped. Every conversation is saved.")


if __name__ == "__main__":
    script.run_step(main)
