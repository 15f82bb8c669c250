"""Whole-controller tests: the real operator binary against the patched kmock emulator.

Usage: python run.py PATH/TO/mission-control-operator

Starts the emulator on a free loopback port, writes a kubeconfig, runs the operator binary
against it and drives scenarios through the emulator's HTTP API. Every wait polls with a
deadline. Prints one line per test and `N passed, N failed`; exits 1 on any failure.
"""

import asyncio
import json
import os
import random
import signal
import sys
import tempfile
import time
import traceback
from pathlib import Path
from typing import Any, Awaitable, Callable

import aiohttp
import kmock

sys.path.insert(0, str(Path(__file__).parent))
from emulator import PatchedEmulator  # noqa: E402

GROUP = 'mission-control.dev'
MC_PATH = '/apis/mission-control.dev/v1alpha1/namespaces/{ns}/missioncontrols'
TIMEOUT = float(os.environ.get('KMOCK_WAIT_SECONDS', '30'))


class Failure(AssertionError):
    pass


async def wait_for(what: str, check: Callable[[], Any], timeout: float = TIMEOUT) -> Any:
    """Poll `check` (sync or async) until it returns something truthy."""
    deadline = time.monotonic() + timeout
    last: Any = None
    while time.monotonic() < deadline:
        try:
            last = check()
            if asyncio.iscoroutine(last):
                last = await last
            if last:
                return last
        except (KeyError, TypeError, IndexError, aiohttp.ClientError):
            last = None
        await asyncio.sleep(0.1)
    raise Failure(f'timed out after {timeout}s waiting for {what} (last: {last!r})')


def check(cond: bool, message: str) -> None:
    if not cond:
        raise Failure(message)


class Operator:
    """One operator process with its log and probe address."""

    def __init__(self, binary: str, kubeconfig: str, identity: str, workdir: Path) -> None:
        self.binary, self.kubeconfig, self.identity = binary, kubeconfig, identity
        self.log_path = workdir / f'{identity}.log'
        self.proc: asyncio.subprocess.Process | None = None
        self.probe: str | None = None
        self.lines: list[dict[str, Any]] = []
        self._reader: asyncio.Task[None] | None = None

    async def start(self) -> 'Operator':
        env = dict(os.environ, KUBECONFIG=self.kubeconfig, RUST_LOG=os.environ.get('OPERATOR_LOG', 'info,kube=warn,kube_lease_manager=warn'))
        self.proc = await asyncio.create_subprocess_exec(
            self.binary, 'run', '--probe-addr', '127.0.0.1:0', '--lease-namespace', 'default',
            '--lease-duration', '3', '--lease-grace', '1', '--identity', self.identity,
            '--log-format', 'json', env=env, stdout=asyncio.subprocess.DEVNULL, stderr=asyncio.subprocess.PIPE)
        self._reader = asyncio.create_task(self._read())
        await wait_for(f'{self.identity} probe address', lambda: self.probe)
        return self

    async def _read(self) -> None:
        assert self.proc is not None and self.proc.stderr is not None
        with open(self.log_path, 'a') as log:
            while line := await self.proc.stderr.readline():
                log.write(line.decode(errors='replace'))
                log.flush()
                try:
                    entry = json.loads(line)
                except ValueError:
                    continue
                self.lines.append(entry)
                addr = entry.get('fields', {}).get('probe_addr')
                if addr:
                    self.probe = addr

    async def metric(self, name: str) -> float | None:
        async with aiohttp.ClientSession() as s, s.get(f'http://{self.probe}/metrics') as r:
            for line in (await r.text()).splitlines():
                if line.startswith(name + ' ') or line.startswith(name + '{'):
                    return float(line.rsplit(' ', 1)[1])
        return None

    async def get(self, path: str) -> int:
        async with aiohttp.ClientSession() as s, s.get(f'http://{self.probe}{path}') as r:
            return r.status

    async def stop(self, sig: int = signal.SIGTERM, timeout: float = 15) -> int:
        assert self.proc is not None
        if self.proc.returncode is None:
            self.proc.send_signal(sig)
        code = await asyncio.wait_for(self.proc.wait(), timeout)
        if self._reader:
            await self._reader
        return code


class Suite:
    def __init__(self, emulator: PatchedEmulator, url: str, binary: str, workdir: Path) -> None:
        self.k, self.url, self.binary, self.workdir = emulator, url, binary, workdir
        self.kubeconfig = str(workdir / 'kubeconfig')
        Path(self.kubeconfig).write_text(json.dumps({
            'apiVersion': 'v1', 'kind': 'Config', 'current-context': 'kmock',
            'clusters': [{'name': 'kmock', 'cluster': {'server': url}}],
            'users': [{'name': 'kmock', 'user': {}}],
            'contexts': [{'name': 'kmock', 'context': {'cluster': 'kmock', 'user': 'kmock', 'namespace': 'default'}}],
        }))
        self.operators: list[Operator] = []

    async def operator(self, identity: str) -> Operator:
        op = await Operator(self.binary, self.kubeconfig, identity, self.workdir).start()
        self.operators.append(op)
        return op

    async def request(self, method: str, path: str, body: Any = None, ctype: str = 'application/json') -> Any:
        async with aiohttp.ClientSession() as s:
            data = None if body is None else json.dumps(body)
            async with s.request(method, self.url + path, data=data, headers={'Content-Type': ctype}) as r:
                payload = await r.json(content_type=None)
                if r.status >= 300:
                    raise Failure(f'{method} {path} -> {r.status}: {payload}')
                return payload

    async def merge(self, path: str, body: Any) -> Any:
        return await self.request('PATCH', path, body, 'application/merge-patch+json')

    async def secret(self, ns: str, name: str, data: dict[str, str]) -> None:
        body = {'apiVersion': 'v1', 'kind': 'Secret', 'metadata': {'name': name, 'namespace': ns}, 'stringData': data}
        if self.k.get('', 'secrets', ns, name):
            await self.merge(f'/api/v1/namespaces/{ns}/secrets/{name}', {'stringData': data})
        else:
            await self.request('POST', f'/api/v1/namespaces/{ns}/secrets', body)

    async def create_mc(self, ns: str, name: str, spec: dict[str, Any]) -> None:
        await self.request('POST', MC_PATH.format(ns=ns), {
            'apiVersion': f'{GROUP}/v1alpha1', 'kind': 'MissionControl',
            'metadata': {'name': name, 'namespace': ns}, 'spec': spec})

    def mc(self, ns: str, name: str) -> dict[str, Any] | None:
        return self.k.get(GROUP, 'missioncontrols', ns, name)

    def condition(self, ns: str, name: str, type_: str) -> dict[str, Any] | None:
        mc = self.mc(ns, name) or {}
        for c in (mc.get('status') or {}).get('conditions', []):
            if c['type'] == type_:
                return c
        return None

    def deployment(self, ns: str, name: str) -> dict[str, Any] | None:
        return self.k.get('apps', 'deployments', ns, name)

    def template_hash(self, ns: str, name: str) -> str | None:
        d = self.deployment(ns, name)
        return d and d['spec']['template']['metadata']['annotations']['mission-control.dev/config-hash']

    async def multi_replica(self, ns: str, name: str = 'fleet', replicas: int = 3) -> None:
        """Secrets + a Postgres/Redis MissionControl, migration Job completed, Deployment up."""
        await self.secret(ns, 'db', {'url': 'postgres://mc:pw@db:5432/mc'})
        await self.secret(ns, 'redis', {'url': 'redis://redis:6379/0'})
        await self.create_mc(ns, name, {
            'replicas': replicas, 'image': {'repository': 'example/mission-control', 'tag': '1.0.0'},
            'database': {'urlSecretRef': {'name': 'db', 'key': 'url'}},
            'redis': {'urlSecretRef': {'name': 'redis', 'key': 'url'}},
        })
        job = await wait_for('the migration Job', lambda: self.k.list('batch', 'jobs', ns))
        await self.complete_job(ns, job[0]['metadata']['name'])
        await wait_for('the Deployment', lambda: self.deployment(ns, name))

    async def complete_job(self, ns: str, job: str) -> None:
        await self.merge(f'/apis/batch/v1/namespaces/{ns}/jobs/{job}/status', {'status': {'succeeded': 1}})

    async def roll_out(self, ns: str, name: str) -> None:
        """Play the Deployment controller: every desired pod updated and ready."""
        d = self.deployment(ns, name)
        assert d is not None
        n = d['spec'].get('replicas', 1)
        await self.merge(f'/apis/apps/v1/namespaces/{ns}/deployments/{name}/status', {'status': {
            'observedGeneration': d['metadata']['generation'], 'replicas': n, 'updatedReplicas': n,
            'readyReplicas': n, 'availableReplicas': n}})

    def lease_holder(self) -> str | None:
        lease = self.k.get('coordination.k8s.io', 'leases', 'default', 'mission-control-operator')
        return lease and (lease.get('spec') or {}).get('holderIdentity')


def owned_by(obj: dict[str, Any], mc: dict[str, Any]) -> bool:
    return any(r.get('uid') == mc['metadata']['uid'] and r.get('controller') and r.get('kind') == 'MissionControl'
               for r in obj['metadata'].get('ownerReferences') or [])


# --- the scenarios -----------------------------------------------------------------------

async def creating_a_mission_control_creates_owned_children_and_gates_on_migration(s: Suite) -> None:
    ns = 'create'
    await s.secret(ns, 'db', {'url': 'postgres://mc:pw@db:5432/mc'})
    await s.secret(ns, 'redis', {'url': 'redis://redis:6379/0'})
    await s.create_mc(ns, 'fleet', {
        'replicas': 3, 'image': {'repository': 'example/mission-control', 'tag': '1.0.0'},
        'database': {'urlSecretRef': {'name': 'db', 'key': 'url'}},
        'redis': {'urlSecretRef': {'name': 'redis', 'key': 'url'}},
    })
    jobs = await wait_for('the migration Job', lambda: s.k.list('batch', 'jobs', ns))
    await wait_for('MigrationsComplete=False/MigrationRunning',
                   lambda: (s.condition(ns, 'fleet', 'MigrationsComplete') or {}).get('reason') == 'MigrationRunning')
    check(s.deployment(ns, 'fleet') is None, 'the Deployment must wait for the migration Job')
    check(jobs[0]['spec']['template']['spec']['containers'][0]['command'] == ['mission-control', 'migrate'],
          'the Job runs `mission-control migrate`')
    await s.complete_job(ns, jobs[0]['metadata']['name'])
    d = await wait_for('the Deployment', lambda: s.deployment(ns, 'fleet'))
    mc = s.mc(ns, 'fleet')
    assert mc is not None
    children = [
        d, s.k.get('', 'services', ns, 'fleet'), s.k.get('', 'configmaps', ns, 'fleet-config'),
        s.k.get('', 'secrets', ns, 'fleet-auth-token'), s.k.get('policy', 'poddisruptionbudgets', ns, 'fleet'),
        jobs[0],
    ]
    for child in children:
        check(child is not None and owned_by(child, mc), f'owned child missing or not owned: {child and child["metadata"]["name"]}')
    token = children[3]['data']['token']
    import base64
    check(len(base64.b64decode(token)) >= 64, 'the generated token has at least 64 characters')
    check(d['spec']['template']['spec']['readinessGates'] == [{'conditionType': 'mission-control.dev/ready'}],
          'pods carry the readiness gate')
    check(d['spec']['replicas'] == 3, 'replicas reach the Deployment')
    await s.roll_out(ns, 'fleet')
    ready = await wait_for('Ready=True', lambda: (s.condition(ns, 'fleet', 'Ready') or {}).get('status') == 'True' and s.condition(ns, 'fleet', 'Ready'))
    check(ready['reason'] == 'AllReplicasReady', f'Ready reason: {ready}')
    status = s.mc(ns, 'fleet')['status']
    check(status['selector'] == 'app.kubernetes.io/instance=fleet,app.kubernetes.io/name=mission-control', 'selector published')
    check(status['readyReplicas'] == 3 and status['version'] == '1.0.0', f'status: {status}')
    events = await wait_for('Events on the MissionControl', lambda: [
        e for e in s.k.list('events.k8s.io', 'events', ns) if e['regarding']['name'] == 'fleet'])
    check(any(e['reason'] == 'AllReplicasReady' for e in events), 'an Event announces readiness')


async def changing_a_referenced_secret_rolls_the_pods(s: Suite) -> None:
    ns = 'secret-change'
    await s.multi_replica(ns)
    before = s.template_hash(ns, 'fleet')
    await s.secret(ns, 'redis', {'url': 'redis://redis-2:6379/0'})
    await wait_for('a new config hash', lambda: s.template_hash(ns, 'fleet') not in (None, before))


async def rotating_the_token_replaces_it_and_rolls_the_pods(s: Suite) -> None:
    ns = 'rotate'
    await s.multi_replica(ns)
    token = s.k.get('', 'secrets', ns, 'fleet-auth-token')['data']['token']
    before = s.template_hash(ns, 'fleet')
    await s.merge(MC_PATH.format(ns=ns) + '/fleet', {'metadata': {'annotations': {'mission-control.dev/rotate-token': '2026-11-29T12:00:00Z'}}})
    await wait_for('a new token', lambda: s.k.get('', 'secrets', ns, 'fleet-auth-token')['data']['token'] != token)
    await wait_for('a new config hash', lambda: s.template_hash(ns, 'fleet') != before)
    rotated = s.k.get('', 'secrets', ns, 'fleet-auth-token')['data']['token']
    hash_after = s.template_hash(ns, 'fleet')
    # Another reconcile (triggered by a label change) must not regenerate it.
    await s.merge(MC_PATH.format(ns=ns) + '/fleet', {'metadata': {'labels': {'touched': 'yes'}}})
    await wait_for('the reconcile after the touch', lambda: (s.mc(ns, 'fleet') or {}).get('metadata', {}).get('labels', {}).get('touched'))
    await asyncio.sleep(1.0)  # give a (wrong) regeneration the chance to happen
    check(s.k.get('', 'secrets', ns, 'fleet-auth-token')['data']['token'] == rotated, 'the token is never regenerated by a reconcile')
    check(s.template_hash(ns, 'fleet') == hash_after, 'nothing else rolls the pods')


async def scaling_through_the_scale_subresource_reaches_the_deployment(s: Suite) -> None:
    ns = 'scale'
    await s.multi_replica(ns)
    before = s.template_hash(ns, 'fleet')
    await s.merge(MC_PATH.format(ns=ns) + '/fleet/scale', {'spec': {'replicas': 5}})
    await wait_for('5 replicas on the Deployment', lambda: s.deployment(ns, 'fleet')['spec']['replicas'] == 5)
    check(s.template_hash(ns, 'fleet') == before, 'scaling does not change the config hash')
    scale = await s.request('GET', MC_PATH.format(ns=ns) + '/fleet/scale')
    check(scale['spec']['replicas'] == 5, f'scale: {scale}')


async def an_invalid_spec_gets_a_condition_not_a_crash(s: Suite) -> None:
    ns = 'invalid'
    await s.create_mc(ns, 'broken', {'replicas': 3})
    ready = await wait_for('Ready=False/InvalidSpec', lambda: (s.condition(ns, 'broken', 'Ready') or {}).get('reason') == 'InvalidSpec' and s.condition(ns, 'broken', 'Ready'))
    check('spec.database and spec.redis' in ready['message'], ready['message'])
    check((s.condition(ns, 'broken', 'Degraded') or {}).get('status') == 'True', 'Degraded=True')
    check(s.deployment(ns, 'broken') is None, 'nothing is deployed for an invalid spec')
    await s.merge(MC_PATH.format(ns=ns) + '/broken', {'spec': {'replicas': 1}})
    await wait_for('the Deployment after the fix', lambda: s.deployment(ns, 'broken'))
    await wait_for('Degraded=False after the fix', lambda: (s.condition(ns, 'broken', 'Degraded') or {}).get('status') == 'False')


async def pausing_stops_reconciling_and_says_so(s: Suite) -> None:
    ns = 'pause'
    await s.multi_replica(ns)
    await s.merge(MC_PATH.format(ns=ns) + '/fleet', {'metadata': {'annotations': {'mission-control.dev/paused': 'true'}}})
    await wait_for('Progressing=False/Paused', lambda: (s.condition(ns, 'fleet', 'Progressing') or {}).get('reason') == 'Paused')
    await s.merge(MC_PATH.format(ns=ns) + '/fleet', {'spec': {'replicas': 4}})
    await asyncio.sleep(1.0)  # a paused operator must not act; give it the chance to misbehave
    check(s.deployment(ns, 'fleet')['spec']['replicas'] == 3, 'a paused resource is not reconciled')
    await s.merge(MC_PATH.format(ns=ns) + '/fleet', {'metadata': {'annotations': {'mission-control.dev/paused': None}}})
    await wait_for('4 replicas after resuming', lambda: s.deployment(ns, 'fleet')['spec']['replicas'] == 4)


async def deleting_the_mission_control_collects_its_children(s: Suite) -> None:
    ns = 'delete'
    await s.multi_replica(ns)
    await s.request('DELETE', MC_PATH.format(ns=ns) + '/fleet')
    await wait_for('children garbage-collected', lambda: not s.deployment(ns, 'fleet') and not s.k.get('', 'services', ns, 'fleet'))
    check(s.k.get('', 'secrets', ns, 'db') is not None, 'user Secrets are not owned and survive')
    op = s.operators[0]
    check(await op.get('/healthz') == 200, 'the operator keeps running')


async def a_restarted_operator_converges_without_duplicate_work(s: Suite) -> None:
    ns = 'restart'
    await s.multi_replica(ns)
    await s.roll_out(ns, 'fleet')
    await wait_for('Ready=True', lambda: (s.condition(ns, 'fleet', 'Ready') or {}).get('status') == 'True')
    old = s.operators.pop(0)
    code = await old.stop(signal.SIGKILL)
    check(code != 0, 'killed')
    snapshot = {k: o['metadata']['resourceVersion'] for k, o in s.k.store.items() if k[2] != 'leases'}
    new = await s.operator('op-restarted')
    s.operators.insert(0, new)
    await wait_for('the restarted operator to lead', lambda: new.metric('mission_control_operator_leader'), timeout=TIMEOUT)
    count = len([k for k in s.k.store if k[2] == 'missioncontrols'])
    await wait_for('a reconcile of every MissionControl', lambda: _at_least(new.metric('mission_control_operator_reconciles_total'), count))
    await asyncio.sleep(1.0)
    changed = sorted(f'{k[2]}/{k[3]}/{k[4]}' for k, rv in snapshot.items()
                     if k in s.k.store and s.k.store[k]['metadata']['resourceVersion'] != rv)
    check(not changed, f'objects rewritten after the restart: {changed}')
    created = sorted(f'{k[2]}/{k[4]}' for k in s.k.store if k not in snapshot and k[2] not in ('leases', 'events'))
    check(not created, f'objects created after the restart: {created}')


async def _at_least(value: Awaitable[float | None], n: int) -> bool:
    v = await value
    return v is not None and v >= n


async def two_replicas_elect_one_leader_and_fail_over(s: Suite) -> None:
    first = s.operators[0]
    second = await s.operator('op-second')
    holder = await wait_for('a lease holder', s.lease_holder)
    check(holder == first.identity, f'the running leader keeps the lease (holder {holder})')
    await asyncio.sleep(1.0)
    check(await second.metric('mission_control_operator_leader') == 0, 'the second replica stands by')
    check(await second.get('/readyz') == 200, 'a standby replica is ready')
    code = await first.stop(signal.SIGTERM)
    check(code == 0, f'graceful exit code {code}')
    s.operators.remove(first)
    await wait_for('the second replica to take over', lambda: second.metric('mission_control_operator_leader'), timeout=TIMEOUT)
    check(s.lease_holder() == second.identity, f'lease holder {s.lease_holder()}')
    ns = 'failover'
    await s.multi_replica(ns)  # the new leader reconciles


async def sigterm_shuts_down_gracefully_and_releases_the_lease(s: Suite) -> None:
    op = s.operators.pop(0)
    started = time.monotonic()
    code = await op.stop(signal.SIGTERM)
    check(code == 0, f'exit code {code}')
    check(time.monotonic() - started < 10, 'shutdown is prompt')
    # The release PATCH is sent before exit (the operator logs the API's answer); the emulator
    # sometimes applies it late, so the Lease object itself is not asserted here.
    messages = [l.get('fields', {}).get('message') or '' for l in op.lines]
    check('released the Lease' in messages, f'the lease is released before exit: {messages[-4:]}')
    check(any('shut down' in (l.get('fields', {}).get('message') or '') for l in op.lines), 'logs its shutdown')


async def readiness_gates_follow_each_pods_own_readyz(s: Suite) -> None:
    """The operator sets `mission-control.dev/ready` on pods from their configuration hash and
    a real probe of their `/readyz`: a real `mission-control` stands in for the pod, on a
    loopback address of its own (the pod IP) and the service port 8000."""
    binary = os.environ.get('MISSION_CONTROL_BIN')
    check(bool(binary) and Path(binary).is_file(), f'MISSION_CONTROL_BIN must name the service binary, got {binary!r}')
    ip = f'127.{random.randint(1, 254)}.{random.randint(1, 254)}.{random.randint(2, 254)}'
    data = s.workdir / 'gate-service'
    data.mkdir(exist_ok=True)
    service = await asyncio.create_subprocess_exec(
        binary, 'serve', env={'PATH': os.environ.get('PATH', ''), 'HOST': ip, 'PORT': '8000',
                              'DATA_DIR': str(data), 'LOG_LEVEL': 'warn'},
        stdout=asyncio.subprocess.DEVNULL, stderr=asyncio.subprocess.DEVNULL)

    async def readyz() -> bool:
        async with aiohttp.ClientSession() as c, c.get(f'http://{ip}:8000/readyz') as r:
            return r.status == 200

    try:
        await wait_for(f'the service answering on {ip}:8000', readyz)
        ns = 'gates'
        await s.multi_replica(ns, replicas=2)
        current = s.template_hash(ns, 'fleet')
        labels = {'app.kubernetes.io/name': 'mission-control', 'app.kubernetes.io/instance': 'fleet',
                  'app.kubernetes.io/managed-by': 'mission-control-operator'}
        for name, config_hash in (('fresh', current), ('stale', 'an-older-hash')):
            await s.request('POST', f'/api/v1/namespaces/{ns}/pods', {
                'apiVersion': 'v1', 'kind': 'Pod',
                'metadata': {'name': name, 'namespace': ns, 'labels': labels,
                             'annotations': {'mission-control.dev/config-hash': config_hash}},
                'spec': {'containers': [{'name': 'mission-control', 'image': 'example/mission-control:1.0.0'}],
                         'readinessGates': [{'conditionType': 'mission-control.dev/ready'}]}})
            # Play the kubelet: the pod runs, its containers are ready, it has an IP.
            await s.merge(f'/api/v1/namespaces/{ns}/pods/{name}/status', {'status': {
                'phase': 'Running', 'podIP': ip,
                'conditions': [{'type': 'ContainersReady', 'status': 'True'}]}})

        def gate(pod: str) -> dict[str, Any] | None:
            obj = s.k.get('', 'pods', ns, pod) or {}
            for c in (obj.get('status') or {}).get('conditions', []):
                if c['type'] == 'mission-control.dev/ready':
                    return c
            return None

        fresh = await wait_for('the fresh pod gated True', lambda: (gate('fresh') or {}).get('status') == 'True' and gate('fresh'))
        check(fresh['reason'] == 'ReadyzOk', f'fresh pod: {fresh}')
        stale = await wait_for('the stale pod gated False', lambda: gate('stale'))
        check((stale['status'], stale['reason']) == ('False', 'StaleConfiguration'), f'stale pod: {stale}')

        # The service goes away: the next look at the pod turns its gate False.
        service.terminate()
        await service.wait()
        await s.merge(f'/api/v1/namespaces/{ns}/pods/fresh', {'metadata': {'annotations': {'touched': '1'}}})
        failed = await wait_for('the fresh pod gated False', lambda: (gate('fresh') or {}).get('status') == 'False' and gate('fresh'))
        check(failed['reason'] == 'ReadyzFailed', f'fresh pod after the service stopped: {failed}')
    finally:
        if service.returncode is None:
            service.kill()
            await service.wait()


SCENARIOS = [
    creating_a_mission_control_creates_owned_children_and_gates_on_migration,
    changing_a_referenced_secret_rolls_the_pods,
    rotating_the_token_replaces_it_and_rolls_the_pods,
    scaling_through_the_scale_subresource_reaches_the_deployment,
    an_invalid_spec_gets_a_condition_not_a_crash,
    pausing_stops_reconciling_and_says_so,
    deleting_the_mission_control_collects_its_children,
    a_restarted_operator_converges_without_duplicate_work,
    two_replicas_elect_one_leader_and_fail_over,
    readiness_gates_follow_each_pods_own_readyz,
    sigterm_shuts_down_gracefully_and_releases_the_lease,
]


async def main(binary: str) -> int:
    workdir = Path(tempfile.mkdtemp(prefix='kmock-operator-'))
    emulator = PatchedEmulator()
    passed = failed = 0
    async with emulator, kmock.Server(emulator) as server:
        url = f'http://{server.host}:{server.port}'
        suite = Suite(emulator, url, binary, workdir)
        await suite.operator('op-first')
        await wait_for('the first operator to lead', lambda: suite.operators[0].metric('mission_control_operator_leader'))
        only = os.environ.get('KMOCK_ONLY')
        for scenario in SCENARIOS:
            if only and only not in scenario.__name__:
                continue
            started = time.monotonic()
            try:
                await asyncio.wait_for(scenario(suite), timeout=TIMEOUT * 4)
                passed += 1
                print(f'test {scenario.__name__} ... ok ({time.monotonic() - started:.1f}s)', flush=True)
            except Exception as e:  # noqa: BLE001 - report every failure and go on
                failed += 1
                print(f'test {scenario.__name__} ... FAILED: {e}', flush=True)
                traceback.print_exc()
        for op in suite.operators:
            if op.proc and op.proc.returncode is None:
                await op.stop(signal.SIGTERM)
        if failed:
            print(f'operator logs kept in {workdir}', flush=True)
    print(f'kmock: {passed} passed, {failed} failed', flush=True)
    return 1 if failed else 0


if __name__ == '__main__':
    sys.exit(asyncio.run(main(sys.argv[1])))
