"""`servicecenter demo` and the demo data set: idempotent, complete, every login works; the CLI's other commands."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import threading
import types
from pathlib import Path
from types import SimpleNamespace

import pytest
from django.apps import apps
from django.contrib.auth import get_user_model
from django.urls import reverse

from servicecenter import cli
from servicecenter.core.models import AuditEvent
from servicecenter.demo import spec
from servicecenter.demo.loader import _run_step, load_demo
from servicecenter.org import services as org_services
from servicecenter.org.choices import CenterType, OrganizationKind
from servicecenter.org.models import Organization, RoleAssignment, Staff
from servicecenter.org.roles import ROLE_CODES

REPO = Path(__file__).resolve().parents[2]
# The only built-in role the demo leaves out: the call center's supervisor (ORG-07) — the demo has no call center.
ROLES_NOT_IN_DEMO = {"supervisor"}


def row_counts() -> dict[str, int]:
    return {model._meta.label: model._default_manager.count() for model in apps.get_models()}


@pytest.mark.smoke
@pytest.mark.django_db
def test_loading_the_demo_twice_creates_nothing_the_second_time():
    # given the demo loaded once
    first = load_demo()
    before = row_counts()
    # when
    second = load_demo()
    # then: not one row more in any table, the same people, and no step failed
    assert row_counts() == before
    assert (second.created_organizations, second.created_people) == (0, 0)
    assert first.created_people == len(spec.PEOPLE) == len(second.people)
    assert not first.failed, [step.error for step in first.failed]
    assert not second.failed, [step.error for step in second.failed]


@pytest.mark.smoke
@pytest.mark.django_db
def test_every_demo_login_works_with_the_demo_password(client):
    # given the demo
    result = load_demo()
    # when / then: each user logs in through the real login page
    for login in result.logins:
        response = client.post(reverse("login"), {"username": login.username, "password": spec.DEMO_PASSWORD})
        assert response.status_code == 302, f"{login.username} could not log in"
        assert response["Location"] == reverse("home")
        client.logout()


@pytest.mark.django_db
def test_the_demo_covers_both_center_types_and_every_role():
    # given / when
    result = load_demo()
    # then
    demo_codes = [row.code for row in spec.ORGANIZATIONS]
    centers = Organization.objects.filter(code__in=demo_codes, kind=OrganizationKind.SERVICE_CENTER)
    assert {c.center_type for c in centers} == {CenterType.SERVICE_STATION, CenterType.GOV_HALL}
    station, hall = result.organizations[spec.STATION], result.organizations[spec.HALL]
    assert sorted(o.name for o in Organization.objects.filter(parent=station)) == ["维修一班", "装机班"]
    assert sorted(o.name for o in Organization.objects.filter(parent=hall, kind=OrganizationKind.WINDOW)) == sorted(
        ["综合受理窗口", "社保窗口", "不动产窗口"]
    )
    assert Staff.objects.filter(staff_no__in=[row.staff_no for row in spec.PEOPLE]).count() >= 25
    held = set(
        RoleAssignment.objects.filter(is_active=True, organization__code__in=demo_codes).values_list(
            "role__code", flat=True
        )
    )
    assert held == ROLE_CODES - ROLES_NOT_IN_DEMO
    assert RoleAssignment.objects.filter(role__code="service_staff", organization=station).count() == 5
    assert RoleAssignment.objects.filter(role__code="window_staff", organization=hall).count() == 4


@pytest.mark.django_db
def test_every_demo_row_has_its_audit_event_and_admin_is_a_superuser():
    # given / when
    result = load_demo()
    # then
    for org in result.organizations.values():
        assert AuditEvent.objects.for_target(org).filter(verb="org.organization.created").count() == 1
    for staff in result.people.values():
        assert AuditEvent.objects.for_target(staff).filter(verb="org.staff.created").count() == 1
    admin = get_user_model().objects.get(username=spec.SUPERUSER)
    assert admin.is_superuser and admin.is_staff
    assert AuditEvent.objects.for_target(admin).filter(verb="org.user.superuser_granted").count() == 1
    # paths are the services' materialized paths
    station = result.organizations[spec.STATION]
    assert station.path == f"{station.parent.path}{station.pk:06d}/"


@pytest.mark.django_db
def test_the_demo_sets_the_station_override_through_the_policy_service():
    # given / when
    result = load_demo()
    # then: the step ran (or was already done) and the value is in force at the station only
    step = next(s for s in result.steps if "late_grace_minutes" in s.name)
    assert step.status in {"ok", "exists"}, step
    from servicecenter.policy.values import value

    assert value("attendance.late_grace_minutes", org=result.organizations[spec.STATION]).value == 5
    assert value("attendance.late_grace_minutes", org=result.organizations[spec.HALL]).value != 5


def test_demo_names_are_invented_not_taken_from_the_source_regulations():
    # C-15: the people named in the seed documents never appear in fixtures or demo data
    seed_names = ("张建", "李磊", "高律师", "硚口")
    texts = [row.name for row in spec.PEOPLE] + [row.name for row in spec.ORGANIZATIONS]
    assert not [t for t in texts if any(name in t for name in seed_names)]
    assert len({row.staff_no for row in spec.PEOPLE}) == len(spec.PEOPLE)


@pytest.mark.django_db
def test_a_failing_demo_part_is_reported_and_rolled_back_alone(monkeypatch):
    # given another app's demo loader that writes, then fails
    module = types.ModuleType("tests_fake_demo_part")

    def load(**kwargs):
        org_services.organization_create(actor=None, name="半成品", code="half-done", kind=OrganizationKind.COMPANY)
        raise RuntimeError("sample data broken")

    module.load = load
    monkeypatch.setitem(sys.modules, "tests_fake_demo_part", module)
    # when
    step = _run_step("fake", "tests_fake_demo_part", "load", lambda func: func())
    missing = _run_step("absent", "servicecenter.no_such_demo_module", "load", lambda func: func())
    # then: reported with its traceback, its writes undone; an absent module is "missing", not hidden
    assert step.status == "failed"
    assert "RuntimeError: sample data broken" in step.detail
    assert "Traceback" in step.error
    assert not Organization.objects.filter(code="half-done").exists()
    assert missing.status == "missing"


@pytest.mark.smoke
@pytest.mark.django_db
def test_cli_demo_prints_the_logins_table(capsys):
    # given a migrated (test) database
    # when
    code = cli.main(["demo"])
    # then
    out = capsys.readouterr().out
    assert code == 0
    assert f"统一密码 password: {spec.DEMO_PASSWORD}" in out
    for row in spec.PEOPLE:
        assert row.staff_no in out
    assert "古城服务站 / 维修一班" in out
    assert "城西政务服务中心 / 综合受理窗口" in out


@pytest.mark.django_db
def test_cli_demo_exits_1_when_a_demo_part_fails(capsys, monkeypatch):
    # given a seed-regulation loader that fails
    broken = types.ModuleType("servicecenter.policy.seed")

    def load_seed_regulations(**kwargs):
        raise RuntimeError("seed file unreadable")

    broken.load_seed_regulations = load_seed_regulations
    monkeypatch.setitem(sys.modules, "servicecenter.policy.seed", broken)
    # when
    code = cli.main(["demo"])
    # then: exit 1, the failure is named on stderr, the people are still there
    captured = capsys.readouterr()
    assert code == 1
    assert "RuntimeError: seed file unreadable" in captured.err
    assert "失败 FAILED" in captured.out
    assert Staff.objects.filter(staff_no="GC001").exists()


def test_serve_defaults_to_two_workers_with_four_threads_on_port_8000(monkeypatch):
    # when
    args = cli.build_parser().parse_args(["serve"])
    command = cli.gunicorn_command(host=args.host, port=args.port, workers=args.workers, threads=args.threads)
    # then
    if "SC_PORT" not in os.environ and "SC_HOST" not in os.environ:
        assert (args.host, args.port) == ("127.0.0.1", 8000)
    assert (args.workers, args.threads) == (2, 4)
    assert command[1:4] == ["-m", "gunicorn", "servicecenter.wsgi:application"]
    assert command[command.index("--worker-class") + 1] == "gthread"
    assert command[command.index("--bind") + 1] == f"{args.host}:{args.port}"
    assert cli.gunicorn_command(host="::1", port=8107, workers=1, threads=1)[5] == "[::1]:8107"


@pytest.mark.parametrize("command", ["worker", "beat"])
def test_worker_and_beat_need_redis(command, monkeypatch, capsys):
    # given embedded mode (no REDIS_URL)
    monkeypatch.delenv("REDIS_URL", raising=False)
    monkeypatch.setattr(os, "execv", lambda *a: pytest.fail("must not start celery without Redis"))
    # when
    code = cli.main([command])
    # then
    assert code == 2
    assert "REDIS_URL" in capsys.readouterr().err


@pytest.mark.parametrize("command", ["worker", "beat"])
def test_worker_and_beat_exec_celery_with_the_project_app(command, monkeypatch):
    # given Redis configured, and extra celery options
    monkeypatch.setenv("REDIS_URL", "redis://127.0.0.1:6379/15")
    calls = []
    monkeypatch.setattr(os, "execv", lambda path, argv: calls.append(argv))
    # when
    cli.main([command, "--concurrency", "2"])
    # then
    assert calls == [
        [sys.executable, "-m", "celery", "-A", "servicecenter", command, "-l", "info", "--concurrency", "2"]
    ]


def test_python_dash_m_servicecenter_is_the_same_command():
    # when
    result = subprocess.run(
        [sys.executable, "-m", "servicecenter", "--help"], capture_output=True, text=True, cwd=REPO, timeout=60
    )
    # then
    assert result.returncode == 0, result.stderr
    for command in ("demo", "serve", "worker", "beat", "manage"):
        assert command in result.stdout


def test_manage_passes_through_to_django(capsys):
    # when
    code = cli.main(["manage", "help", "load_demo"])
    # then
    assert code == 0
    assert "load_demo" in capsys.readouterr().out


def test_production_settings_pass_the_deploy_check():
    # given production settings with a long random key and a host name
    # (the browser tests lift Django's async-safety check in this process; production never does)
    env = {
        **{k: v for k, v in os.environ.items() if k != "DJANGO_ALLOW_ASYNC_UNSAFE"},
        "DJANGO_SETTINGS_MODULE": "servicecenter.settings.production",
        "SECRET_KEY": "x7!" + os.urandom(48).hex(),
        "ALLOWED_HOSTS": "example.org",
        "DATABASE_URL": os.environ.get("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/servicecenter"),
    }
    # when
    result = subprocess.run(
        [
            sys.executable,
            "-c",
            "import django; django.setup(); from django.core.management import call_command; "
            "call_command('check', '--deploy', fail_level='WARNING')",
        ],
        capture_output=True,
        text=True,
        env=env,
        cwd=REPO,
        timeout=120,
    )
    # then
    assert result.returncode == 0, result.stderr


class FakeGunicorn:
    """Stands in for the gunicorn child process of `servicecenter serve`."""

    def __init__(self, argv, env, *, started: threading.Event, interrupt: bool = False):
        self.argv, self.env, self.started, self.interrupt = argv, env, started, interrupt
        self.signals: list[int] = []
        self.returncode = None

    def wait(self, timeout=None):
        if self.returncode is None:
            assert self.started.wait(10), "the scheduler thread did not start"
            if self.interrupt:
                self.interrupt = False
                raise KeyboardInterrupt
            self.returncode = 0
        return self.returncode

    def poll(self):
        return self.returncode

    def send_signal(self, signum):
        self.signals.append(signum)
        self.returncode = -signum


class FakeScheduler:
    def __init__(self):
        self.started = threading.Event()
        self.stopped = False

    def run_forever(self, stop):
        self.started.set()
        stop.wait(10)
        self.stopped = stop.is_set()


@pytest.fixture
def fake_serve(monkeypatch, settings):
    """`servicecenter serve` with a fake gunicorn and a fake scheduler; returns what they saw."""
    settings.REDIS_URL = ""
    scheduler = FakeScheduler()
    seen = SimpleNamespace(scheduler=scheduler, procs=[], interrupt=False)

    def popen(argv, env, start_new_session):
        assert start_new_session, "gunicorn must not get the terminal's Ctrl-C: serve stops it with SIGTERM"
        proc = FakeGunicorn(argv, env, started=scheduler.started, interrupt=seen.interrupt)
        seen.procs.append(proc)
        return proc

    monkeypatch.setattr(cli.subprocess, "Popen", popen)
    monkeypatch.setattr(cli, "port_in_use", lambda host, port: False)
    monkeypatch.setattr("servicecenter.scheduler.project_scheduler", lambda: scheduler)
    return seen


@pytest.mark.smoke
@pytest.mark.django_db
def test_serve_runs_gunicorn_and_the_periodic_jobs_in_its_own_process(fake_serve, capsys):
    # given the demo loaded, embedded mode
    load_demo()
    # when
    code = cli.main(["serve", "--port", "8107"])
    # then: one gunicorn child (2 workers × 4 threads), the scheduler in a thread of this process, then stopped
    out = capsys.readouterr().out
    assert code == 0
    (proc,) = fake_serve.procs
    assert proc.argv[proc.argv.index("--bind") + 1] == "127.0.0.1:8107"
    assert proc.argv[proc.argv.index("--workers") + 1] == "2"
    assert proc.argv[proc.argv.index("--threads") + 1] == "4"
    assert proc.env["DJANGO_SETTINGS_MODULE"] == os.environ["DJANGO_SETTINGS_MODULE"]
    assert fake_serve.scheduler.stopped
    assert "http://127.0.0.1:8107/" in out
    assert f"admin / {spec.DEMO_PASSWORD}" in out
    assert "定时任务由本进程调度" in out


@pytest.mark.django_db
def test_ctrl_c_stops_gunicorn_and_the_scheduler(fake_serve, capsys):
    # given a server that gets Ctrl-C while serving
    fake_serve.interrupt = True
    # when
    code = cli.main(["serve", "--port", "8107"])
    # then: gunicorn is asked to stop gracefully (SIGTERM), the scheduler thread ends
    assert code == 0
    assert fake_serve.procs[0].signals == [signal.SIGTERM]
    assert fake_serve.scheduler.stopped
    assert "stopping" in capsys.readouterr().out


@pytest.mark.django_db
def test_serve_leaves_periodic_jobs_to_beat_when_redis_is_configured(fake_serve, settings, capsys, monkeypatch):
    # given Redis mode: the scheduler must not run in the web server
    settings.REDIS_URL = "redis://127.0.0.1:6379/15"
    monkeypatch.setattr(
        "servicecenter.scheduler.project_scheduler", lambda: pytest.fail("no embedded scheduler with Redis")
    )
    fake_serve.scheduler.started.set()  # nothing to wait for
    # when
    code = cli.main(["serve", "--port", "8107"])
    # then
    assert code == 0
    assert "servicecenter beat" in capsys.readouterr().out


def test_a_port_in_use_is_detected():
    # given a listening socket
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        sock.listen()
        port = sock.getsockname()[1]
        # when / then
        assert cli.port_in_use("127.0.0.1", port)
