"""`servicecenter` — the command line: demo, serve, worker, beat, manage (docs/operations.md).

    servicecenter demo                  migrate (SQLite file var/servicecenter.sqlite3 by default), load the demo,
                                        print the demo logins; safe to run again
    servicecenter serve [--host H] [--port P] [--workers N] [--threads T]
                                        embedded server: migrate if needed, gunicorn, periodic jobs in this process
    servicecenter worker [celery args]  a Celery worker (needs REDIS_URL)
    servicecenter beat [celery args]    Celery beat — run exactly one (needs REDIS_URL)
    servicecenter manage <args>         Django's manage.py

Settings: DJANGO_SETTINGS_MODULE, default servicecenter.settings.embedded; everything else comes from the environment
(src/servicecenter/settings/base.py). `python -m servicecenter …` works the same.
"""

from __future__ import annotations

import argparse
import os
import signal
import socket
import subprocess
import sys
import threading
from pathlib import Path
from typing import Any

DEFAULT_SETTINGS = "servicecenter.settings.embedded"
DEFAULT_HOST = os.environ.get("SC_HOST", "127.0.0.1")
DEFAULT_PORT = int(os.environ.get("SC_PORT", "8000"))
LOOPBACK = {"127.0.0.1", "localhost", "::1"}
# Access log: the usual fields plus the request id set by core.middleware (same id as in the app's log lines).
ACCESS_LOG_FORMAT = '%(h)s "%(r)s" %(s)s %(b)s %(M)sms user=%(u)s rid=%({x-request-id}o)s'


def main(argv: list[str] | None = None) -> int:
    """Entry point of the `servicecenter` script and of `python -m servicecenter`."""
    argv = list(sys.argv[1:] if argv is None else argv)
    for stream in (sys.stdout, sys.stderr):  # Chinese output on a terminal without a UTF-8 locale
        if hasattr(stream, "reconfigure") and (stream.encoding or "").lower().replace("-", "") != "utf8":
            stream.reconfigure(errors="backslashreplace")
    # Pass-through commands take their own options: no argparse in the way of `manage migrate --plan` etc.
    if argv and argv[0] == "manage":
        return cmd_manage(argv[1:])
    if argv and argv[0] in ("worker", "beat"):
        return cmd_celery(argv[0], argv[1:])
    args = build_parser().parse_args(argv)
    if not hasattr(args, "func"):
        build_parser().print_help()
        return 2
    return args.func(args)


def build_parser() -> argparse.ArgumentParser:
    from servicecenter import __doc__ as project_doc

    parser = argparse.ArgumentParser(
        prog="servicecenter",
        description=f"{project_doc.strip()} 命令行 / command line.",
        epilog="环境变量见 docs/operations.md / environment variables: see docs/operations.md",
    )
    parser.add_argument("--version", action="version", version=f"servicecenter {_version()}")
    sub = parser.add_subparsers(title="commands", metavar="{demo,serve,worker,beat,manage}")

    demo = sub.add_parser("demo", help="迁移数据库并加载示例数据 / migrate and load the demo data")
    demo.set_defaults(func=cmd_demo)

    serve = sub.add_parser("serve", help="启动嵌入式服务器 / run the embedded server (gunicorn + periodic jobs)")
    serve.add_argument("--host", default=DEFAULT_HOST, help="listen address (default %(default)s, env SC_HOST)")
    serve.add_argument("--port", type=int, default=DEFAULT_PORT, help="port (default %(default)s, env SC_PORT)")
    serve.add_argument("--workers", type=int, default=2, help="gunicorn worker processes (default %(default)s)")
    serve.add_argument("--threads", type=int, default=4, help="threads per worker (default %(default)s)")
    serve.add_argument(
        "--no-scheduler", action="store_true", help="do not run the periodic jobs in this process (run `beat`)"
    )
    serve.set_defaults(func=cmd_serve)

    # Listed for --help only: main() hands these to celery / Django before argparse sees their options.
    sub.add_parser("worker", help="Celery worker（需要 REDIS_URL）; other options go to celery")
    sub.add_parser("beat", help="Celery beat，只运行一个（需要 REDIS_URL）; other options go to celery")
    sub.add_parser("manage", help="Django manage.py 命令 / Django management commands (servicecenter manage help)")
    return parser


def _version() -> str:
    try:
        from importlib.metadata import version

        return version("servicecenter")
    except Exception:  # noqa: BLE001 - running from a source tree without metadata
        return "dev"


# --- Django set-up -----------------------------------------------------------------------------------------------


def setup_django() -> Any:
    """Settings from DJANGO_SETTINGS_MODULE (default: dev), `django.setup()`, and the directories SQLite needs."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", DEFAULT_SETTINGS)
    import django
    from django.conf import settings

    django.setup()
    var_dir = getattr(settings, "VAR_DIR", None)
    if var_dir:
        Path(var_dir).mkdir(parents=True, exist_ok=True)
    db = settings.DATABASES["default"]
    if db["ENGINE"].endswith("sqlite3") and str(db["NAME"]) not in ("", ":memory:"):
        Path(db["NAME"]).parent.mkdir(parents=True, exist_ok=True)
    return settings


def pending_migrations() -> list:
    from django.db import connection
    from django.db.migrations.executor import MigrationExecutor

    executor = MigrationExecutor(connection)
    return executor.migration_plan(executor.loader.graph.leaf_nodes())


def migrate(*, quiet: bool = True) -> int:
    """Apply pending migrations; returns how many were applied."""
    from django.core.management import call_command

    pending = pending_migrations()
    if pending:
        print(f"正在应用 {len(pending)} 个数据库迁移 / applying {len(pending)} migrations …", flush=True)
        call_command("migrate", interactive=False, verbosity=0 if quiet else 1)
    return len(pending)


def describe_database() -> str:
    from django.conf import settings

    db = settings.DATABASES["default"]
    if db["ENGINE"].endswith("sqlite3"):
        path = Path(db["NAME"])
        try:
            path = path.resolve().relative_to(Path.cwd())
        except ValueError:
            pass
        return f"SQLite {path}"
    vendor = "PostgreSQL" if "postgresql" in db["ENGINE"] else db["ENGINE"].rsplit(".", 1)[-1]
    return f"{vendor} {db.get('HOST') or 'localhost'}:{db.get('PORT') or ''}/{db['NAME']}"


# --- demo ----------------------------------------------------------------------------------------------------------


def cmd_demo(args: argparse.Namespace | None = None) -> int:
    """Migrate, load the demo, print the logins. Exit 1 when a part of the demo failed (reported above)."""
    setup_django()
    from servicecenter.core.errors import DomainError
    from servicecenter.demo.loader import load_demo
    from servicecenter.demo.report import format_result

    print(f"服务中心管理系统 ServiceCenter — 示例数据 / demo data ({describe_database()})", flush=True)
    migrate()
    print("正在加载示例数据 / loading the demo …", flush=True)
    try:
        result = load_demo()
    except DomainError as exc:
        print(f"错误 / error: {exc.message}", file=sys.stderr)
        return 1
    print(format_result(result))
    if result.failed:
        print(
            f"\n{len(result.failed)} 个步骤失败（详见上方日志）/ {len(result.failed)} step(s) failed (traceback above)",
            file=sys.stderr,
        )
        for step in result.failed:
            print(step.error, file=sys.stderr)
        return 1
    print("\n下一步 Next: servicecenter serve  →  http://127.0.0.1:8000/")
    return 0


# --- serve ---------------------------------------------------------------------------------------------------------


class _Terminate(Exception):
    """SIGTERM or SIGHUP received: stop like Ctrl-C."""


def _raise_terminate(signum: int, frame: Any) -> None:
    raise _Terminate


def port_in_use(host: str, port: int) -> bool:
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    with socket.socket(family, socket.SOCK_STREAM) as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind((host, port))
        except OSError:
            return True
    return False


def gunicorn_command(*, host: str, port: int, workers: int, threads: int) -> list[str]:
    bind = f"[{host}]:{port}" if ":" in host else f"{host}:{port}"
    return [
        sys.executable,
        "-m",
        "gunicorn",
        "servicecenter.wsgi:application",
        "--bind",
        bind,
        "--workers",
        str(workers),
        "--threads",
        str(threads),
        "--worker-class",
        "gthread",
        "--timeout",
        "60",
        "--graceful-timeout",
        "10",
        "--access-logfile",
        "-",
        "--access-logformat",
        ACCESS_LOG_FORMAT,
        "--name",
        "servicecenter",
        # gunicorn ≥ 27 opens a control socket at a fixed path in $HOME: two servers on one machine would clash.
        *(["--no-control-socket"] if _gunicorn_has_control_socket() else []),
    ]


def _gunicorn_has_control_socket() -> bool:
    from gunicorn.config import KNOWN_SETTINGS

    return any(setting.name == "control_socket_disable" for setting in KNOWN_SETTINGS)


def login_hint() -> tuple[str, str]:
    """(Chinese, English) lines telling how to log in, from what the database holds."""
    from django.contrib.auth import get_user_model

    from servicecenter.demo import spec
    from servicecenter.org.models import Staff

    admin = Staff.objects.select_related("user").filter(staff_no=spec.SUPERUSER).first()
    if admin is not None and admin.user is not None and admin.user.check_password(spec.DEMO_PASSWORD):
        return (
            f"{spec.SUPERUSER} / {spec.DEMO_PASSWORD}（示例账户；全部示例账户：servicecenter demo）",
            "demo accounts share that password; `servicecenter demo` lists them all",
        )
    if get_user_model().objects.exists():
        return ("用您的账户登录（用户名 = 工号）", "log in with your account (user name = staff number)")
    return (
        "尚无账户：先运行 servicecenter demo，或 servicecenter manage createsuperuser",
        "no accounts yet: run `servicecenter demo` or `servicecenter manage createsuperuser`",
    )


def banner(*, url: str, settings_module: str, embedded: bool, scheduler: bool, host: str) -> str:
    login_zh, login_en = login_hint()
    if embedded:
        tasks_zh = "嵌入模式：任务在进程内执行" + ("，定时任务由本进程调度" if scheduler else "（定时任务未启用）")
        tasks_en = "embedded: tasks run in-process" + (
            ", periodic jobs scheduled by this process" if scheduler else " (periodic jobs off)"
        )
    else:
        tasks_zh = "Redis 模式：任务交给 Celery worker；定时任务由唯一的 servicecenter beat 调度"
        tasks_en = "Redis: tasks go to Celery workers; periodic jobs come from the one `servicecenter beat`"
    rule = "=" * 78
    lines = [
        rule,
        f" 服务中心管理系统 ServiceCenter {_version()}",
        f" 访问地址 URL:          {url}",
        f" 登录 Log in:           {login_zh}",
        f"                        {login_en}",
        f" 数据库 Database:       {describe_database()}",
        f" 配置 Settings:         {settings_module}",
        f" 任务 Tasks:            {tasks_zh}",
        f"                        {tasks_en}",
        f" 健康检查 Health check: {url}healthz",
    ]
    if host not in LOOPBACK and "ALLOWED_HOSTS" not in os.environ:
        lines.append(
            " 提示 Note: 从其他机器访问请设置 ALLOWED_HOSTS=<本机域名或IP> / set ALLOWED_HOSTS for other hosts"
        )
    lines += [" 按 Ctrl-C 停止 / press Ctrl-C to stop", rule]
    return "\n".join(lines)


def cmd_serve(args: argparse.Namespace) -> int:
    """The embedded server: migrations, gunicorn (child process), periodic jobs (a thread of this process)."""
    settings = setup_django()
    from django.db import connections

    migrate()
    if port_in_use(args.host, args.port):
        print(
            f"错误：端口 {args.port} 已被占用，请用 --port 换一个端口\n"
            f"error: port {args.port} on {args.host} is in use; choose another with --port",
            file=sys.stderr,
        )
        return 1
    embedded = not settings.REDIS_URL
    run_scheduler = embedded and not args.no_scheduler
    shown_host = socket.gethostname() if args.host in ("0.0.0.0", "::") else args.host
    url = f"http://{f'[{shown_host}]' if ':' in shown_host else shown_host}:{args.port}/"
    print(
        banner(
            url=url,
            settings_module=os.environ["DJANGO_SETTINGS_MODULE"],
            embedded=embedded,
            scheduler=run_scheduler,
            host=args.host,
        ),
        flush=True,
    )
    scheduler = None
    if run_scheduler:
        from servicecenter.scheduler import project_scheduler

        scheduler = project_scheduler()
    connections.close_all()  # the web server runs in its own processes; the scheduler thread opens its own

    # SIGTERM and a closed terminal (SIGHUP) stop us like Ctrl-C; Ctrl-C must work even when started from a shell
    # that ignores SIGINT for background jobs.
    previous = {
        signal.SIGTERM: signal.signal(signal.SIGTERM, _raise_terminate),
        signal.SIGHUP: signal.signal(signal.SIGHUP, _raise_terminate),
        signal.SIGINT: signal.signal(signal.SIGINT, signal.default_int_handler),
    }
    stop = threading.Event()
    thread = None
    # gunicorn runs in its own session: the terminal's Ctrl-C reaches only this process, which then stops gunicorn
    # with SIGTERM (graceful). gunicorn's own SIGINT handling exits from inside a signal handler and can leave a
    # gthread worker deadlocked until the graceful timeout kills it.
    proc = subprocess.Popen(
        gunicorn_command(host=args.host, port=args.port, workers=args.workers, threads=args.threads),
        env={**os.environ, "DJANGO_SETTINGS_MODULE": os.environ["DJANGO_SETTINGS_MODULE"]},
        start_new_session=True,
    )
    try:
        if scheduler is not None:
            thread = threading.Thread(target=scheduler.run_forever, args=(stop,), name="sc-scheduler", daemon=True)
            thread.start()
        code = proc.wait()
        if code:
            print(f"web 服务器已退出（代码 {code}）/ the web server exited with code {code}", file=sys.stderr)
        return code
    except (KeyboardInterrupt, _Terminate):
        print("\n正在停止 / stopping …", flush=True)
        return 0
    finally:
        stop.set()
        _stop_process(proc)
        if thread is not None:
            thread.join(timeout=30)
        for signum, handler in previous.items():
            signal.signal(signum, handler)


def _stop_process(proc: subprocess.Popen) -> None:
    """Graceful stop (SIGTERM: gunicorn finishes running requests); kill after 20 seconds or on a second Ctrl-C."""
    if proc.poll() is not None:
        return
    proc.send_signal(signal.SIGTERM)
    try:
        proc.wait(timeout=20)
    except (subprocess.TimeoutExpired, KeyboardInterrupt, _Terminate):
        proc.kill()
        proc.wait()


# --- worker / beat / manage ----------------------------------------------------------------------------------------


def celery_argv(command: str, extra: list[str]) -> list[str]:
    return [sys.executable, "-m", "celery", "-A", "servicecenter", command, "-l", "info", *extra]


def cmd_celery(command: str, extra: list[str]) -> int:
    """Replace this process with `celery -A servicecenter worker|beat …` (needs REDIS_URL)."""
    if not os.environ.get("REDIS_URL"):
        print(
            f"错误：{command} 需要 REDIS_URL。嵌入模式（未设置 REDIS_URL）下任务在 web 进程内执行，"
            "定时任务由 servicecenter serve 调度。\n"
            f"error: `{command}` needs REDIS_URL; without it tasks run inside `servicecenter serve`.",
            file=sys.stderr,
        )
        return 2
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", DEFAULT_SETTINGS)
    argv = celery_argv(command, extra)
    sys.stdout.flush()
    os.execv(argv[0], argv)
    return 0  # pragma: no cover - execv does not return


def cmd_manage(argv: list[str]) -> int:
    """Django's management commands, with the project's default settings (`servicecenter manage migrate`)."""
    setup_django()
    from django.core.management import execute_from_command_line

    execute_from_command_line(["servicecenter manage", *argv])
    return 0
