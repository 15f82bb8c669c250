"""A kmock 0.8 KubernetesEmulator patched so that kube-rs controllers can run against it.

Stock kmock answers the discovery endpoints and records requests, but its object store misses
what kube-rs relies on (resourceVersion/uid/generation, namespaced watches, server-side apply,
standard error reasons, label selectors, watch resume, status isolation, no-op patches that do
not emit events). This subclass keeps kmock's server, request log and discovery, and serves
every object request (`/api/...`, `/apis/...` with a resource) from its own small store:

* metadata: uid, resourceVersion (one counter for the whole store), creationTimestamp,
  generation (bumped when `spec` changes), namespace from the URL;
* verbs: list (labelSelector), watch (labelSelector, resume from resourceVersion, timeout),
  get, create, replace, delete (finalizers, cascading deletion of owned objects by uid),
  patch: apply (with field ownership and 409 on non-forced conflicts), merge, strategic
  (lists of objects merged by `type`/`name`), json-patch;
* subresources: `status` (only status changes; main-resource writes keep status) and `scale`;
* a write that changes nothing keeps the resourceVersion and emits no event;
* errors are `Status` objects with the standard reasons (NotFound, AlreadyExists, Conflict).

It is still not an API server: no schema validation, no defaulting, no admission, no pods.
Pinned to kmock==0.8 because it overrides `_handle`.
"""

import asyncio
import copy
import datetime
import json
import uuid
from typing import Any

import aiohttp.web
import jsonpatch
import kmock

KINDS = {
    'pods': 'Pod', 'services': 'Service', 'secrets': 'Secret', 'configmaps': 'ConfigMap',
    'events': 'Event', 'persistentvolumeclaims': 'PersistentVolumeClaim',
    'deployments': 'Deployment', 'jobs': 'Job', 'leases': 'Lease', 'ingresses': 'Ingress',
    'poddisruptionbudgets': 'PodDisruptionBudget',
    'horizontalpodautoscalers': 'HorizontalPodAutoscaler', 'missioncontrols': 'MissionControl',
}


def now() -> str:
    return datetime.datetime.now(tz=datetime.UTC).strftime('%Y-%m-%dT%H:%M:%SZ')


class ApiError(Exception):
    def __init__(self, code: int, reason: str, message: str) -> None:
        super().__init__(message)
        self.code, self.reason, self.message = code, reason, message


def parse_path(path: str) -> dict[str, Any] | None:
    parts = [p for p in path.split('/') if p]
    if len(parts) >= 2 and parts[0] == 'api':
        group, version, rest = '', parts[1], parts[2:]
    elif len(parts) >= 3 and parts[0] == 'apis':
        group, version, rest = parts[1], parts[2], parts[3:]
    else:
        return None
    namespace = None
    if len(rest) >= 3 and rest[0] == 'namespaces':
        namespace, rest = rest[1], rest[2:]
    if not rest:
        return None
    return {
        'group': group, 'version': version, 'plural': rest[0], 'namespace': namespace,
        'name': rest[1] if len(rest) > 1 else None,
        'subresource': '/'.join(rest[2:]) or None,
    }


def merge_patch(target: Any, patch: Any, strategic: bool = False) -> Any:
    if not isinstance(patch, dict):
        return copy.deepcopy(patch)
    result = copy.deepcopy(target) if isinstance(target, dict) else {}
    for key, value in patch.items():
        if key.startswith('$'):
            continue
        if value is None:
            result.pop(key, None)
        elif strategic and isinstance(value, list) and isinstance(result.get(key), list):
            result[key] = merge_list(result[key], value)
        else:
            result[key] = merge_patch(result.get(key), value, strategic)
    return result


def merge_list(old: list[Any], new: list[Any]) -> list[Any]:
    """Strategic merge of lists of objects keyed by `type` or `name`; other lists are replaced."""
    for key in ('type', 'name'):
        if new and all(isinstance(i, dict) and key in i for i in new + old):
            out = [copy.deepcopy(i) for i in old]
            for item in new:
                for idx, existing in enumerate(out):
                    if existing[key] == item[key]:
                        out[idx] = merge_patch(existing, item, True)
                        break
                else:
                    out.append(copy.deepcopy(item))
            return out
    return copy.deepcopy(new)


def leaves(obj: Any, prefix: tuple[str, ...] = ()) -> dict[tuple[str, ...], Any]:
    if isinstance(obj, dict) and obj:
        out: dict[tuple[str, ...], Any] = {}
        for k, v in obj.items():
            out.update(leaves(v, prefix + (k,)))
        return out
    return {prefix: obj}


def dig(obj: Any, path: tuple[str, ...]) -> Any:
    for key in path:
        if not isinstance(obj, dict) or key not in obj:
            return None
        obj = obj[key]
    return obj


def selector_matches(selector: str | None, labels: dict[str, str]) -> bool:
    if not selector:
        return True
    for term in selector.split(','):
        term = term.strip()
        if '!=' in term:
            k, v = term.split('!=', 1)
            if labels.get(k.strip()) == v.strip():
                return False
        elif '=' in term:
            k, v = term.replace('==', '=').split('=', 1)
            if labels.get(k.strip()) != v.strip():
                return False
        elif term.startswith('!'):
            if term[1:] in labels:
                return False
        elif term and term not in labels:
            return False
    return True


class PatchedEmulator(kmock.KubernetesEmulator):
    """KubernetesEmulator with a store that behaves enough like kube-apiserver for kube-rs."""

    def __attrs_post_init__(self) -> None:
        super().__attrs_post_init__()
        self.store: dict[tuple[str, str, str, str | None, str], dict[str, Any]] = {}
        self.owners: dict[tuple[str, str, str, str | None, str], dict[tuple[str, ...], str]] = {}
        self.history: list[tuple[int, tuple[str, str, str], dict[str, Any]]] = []
        self.rv = 100
        self.changed = asyncio.Condition()
        self.writes = 0  # writes that changed an object (for "no duplicate work" checks)

    # --- helpers for tests ---------------------------------------------------------------
    def get(self, group: str, plural: str, namespace: str | None, name: str) -> dict[str, Any] | None:
        for (g, _v, p, ns, n), obj in self.store.items():
            if (g, p, ns, n) == (group, plural, namespace, name):
                return obj
        return None

    def list(self, group: str, plural: str, namespace: str | None = None) -> list[dict[str, Any]]:
        return [o for (g, _v, p, ns, _n), o in self.store.items()
                if (g, p) == (group, plural) and (namespace is None or ns == namespace)]

    # --- request handling ----------------------------------------------------------------
    async def _handle(self, request: Any) -> aiohttp.web.StreamResponse:
        raw = request._raw_request
        target = parse_path(raw.path) if raw is not None else None
        if target is None:
            return await super()._handle(request)
        try:
            return await self._serve(request, raw, target)
        except ApiError as e:
            return aiohttp.web.json_response({
                'apiVersion': 'v1', 'kind': 'Status', 'metadata': {}, 'status': 'Failure',
                'code': e.code, 'reason': e.reason, 'message': e.message,
            }, status=e.code)

    async def _serve(self, request: Any, raw: Any, t: dict[str, Any]) -> aiohttp.web.StreamResponse:
        method = raw.method.upper()
        params = dict(raw.query)
        rkey = (t['group'], t['version'], t['plural'])
        if t['name'] is None:
            if method == 'GET' and params.get('watch') in ('true', '1'):
                return await self._watch(raw, rkey, t['namespace'], params)
            if method == 'GET':
                return self._json(self._list(rkey, t['namespace'], params))
            if method == 'POST':
                return self._json(await self._create(rkey, t['namespace'], request.data or {}), 201)
            raise ApiError(405, 'MethodNotAllowed', f'{method} on a collection')
        key = rkey + (t['namespace'], t['name'])
        sub = t['subresource']
        if method == 'GET':
            obj = self._existing(key)
            return self._json(self._scale(obj) if sub == 'scale' else obj)
        if method == 'DELETE':
            return self._json(await self._delete(key))
        if method in ('PUT', 'PATCH'):
            body = request.data if request.data is not None else {}
            ctype = raw.headers.get('Content-Type', '').split(';')[0].strip()
            manager = params.get('fieldManager', '')
            force = params.get('force') == 'true'
            return self._json(await self._write(key, sub, method, ctype, body, manager, force))
        raise ApiError(405, 'MethodNotAllowed', method)

    def _json(self, body: Any, status: int = 200) -> aiohttp.web.Response:
        return aiohttp.web.json_response(body, status=status)

    def _existing(self, key: tuple[Any, ...]) -> dict[str, Any]:
        obj = self.store.get(key)
        if obj is None:
            raise ApiError(404, 'NotFound', f'{key[2]} "{key[4]}" not found')
        return obj

    def _list(self, rkey: tuple[str, str, str], namespace: str | None, params: dict[str, str]) -> dict[str, Any]:
        items = [copy.deepcopy(o) for k, o in sorted(self.store.items(), key=lambda kv: str(kv[0]))
                 if k[:3] == rkey and (namespace is None or k[3] == namespace)
                 and selector_matches(params.get('labelSelector'), o['metadata'].get('labels') or {})]
        kind = KINDS.get(rkey[2], rkey[2].capitalize())
        api_version = f'{rkey[0]}/{rkey[1]}' if rkey[0] else rkey[1]
        return {'apiVersion': api_version, 'kind': f'{kind}List',
                'metadata': {'resourceVersion': str(self.rv)}, 'items': items}

    async def _watch(self, raw: Any, rkey: tuple[str, str, str], namespace: str | None,
                     params: dict[str, str]) -> aiohttp.web.StreamResponse:
        since = int(params.get('resourceVersion') or 0)
        timeout = min(float(params.get('timeoutSeconds') or 290), 290)
        selector = params.get('labelSelector')
        resp = aiohttp.web.StreamResponse(headers={'Content-Type': 'application/json'})
        await resp.prepare(raw)
        if since == 0:  # no resume point: start with the current objects
            for k, o in list(self.store.items()):
                if k[:3] == rkey and (namespace is None or k[3] == namespace) \
                        and selector_matches(selector, o['metadata'].get('labels') or {}):
                    await resp.write(json.dumps({'type': 'ADDED', 'object': o}).encode() + b'\n')
            since = self.rv
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        sent = since
        try:
            while loop.time() < deadline:
                pending = [(rv, e) for rv, rk, e in self.history if rv > sent and rk == rkey]
                for rv, event in pending:
                    meta = event['object']['metadata']
                    if (namespace is None or meta.get('namespace') == namespace) \
                            and selector_matches(selector, meta.get('labels') or {}):
                        await resp.write(json.dumps(event).encode() + b'\n')
                    sent = rv
                async with self.changed:
                    if not any(rv > sent and rk == rkey for rv, rk, _ in self.history):
                        try:
                            await asyncio.wait_for(self.changed.wait(), max(0.0, deadline - loop.time()))
                        except asyncio.TimeoutError:
                            break
        except (ConnectionResetError, asyncio.CancelledError):
            return resp
        await resp.write_eof()
        return resp

    async def _emit(self, event_type: str, key: tuple[Any, ...], obj: dict[str, Any]) -> None:
        self.rv += 1
        obj['metadata']['resourceVersion'] = str(self.rv)
        self.history.append((self.rv, key[:3], {'type': event_type, 'object': copy.deepcopy(obj)}))
        self.writes += 1
        async with self.changed:
            self.changed.notify_all()

    async def _create(self, rkey: tuple[str, str, str], namespace: str | None, body: dict[str, Any]) -> dict[str, Any]:
        meta = body.setdefault('metadata', {})
        if not meta.get('name') and meta.get('generateName'):
            meta['name'] = meta['generateName'] + uuid.uuid4().hex[:5]
        name = meta.get('name')
        if not name:
            raise ApiError(422, 'Invalid', 'metadata.name is required')
        namespace = namespace or meta.get('namespace')
        key = rkey + (namespace, name)
        if key in self.store:
            raise ApiError(409, 'AlreadyExists', f'{rkey[2]} "{name}" already exists')
        obj = copy.deepcopy(body)
        obj['apiVersion'] = f'{rkey[0]}/{rkey[1]}' if rkey[0] else rkey[1]
        obj['kind'] = KINDS.get(rkey[2], obj.get('kind'))
        m = obj['metadata']
        if namespace:
            m['namespace'] = namespace
        m.update({'uid': str(uuid.uuid4()), 'creationTimestamp': now(), 'generation': 1})
        m.pop('resourceVersion', None)
        self.store[key] = obj
        self.owners[key] = {}
        await self._emit('ADDED', key, obj)
        return obj

    async def _delete(self, key: tuple[Any, ...]) -> dict[str, Any]:
        obj = self._existing(key)
        if obj['metadata'].get('finalizers'):
            if not obj['metadata'].get('deletionTimestamp'):
                obj['metadata']['deletionTimestamp'] = now()
                await self._emit('MODIFIED', key, obj)
            return obj
        await self._remove(key)
        return {'apiVersion': 'v1', 'kind': 'Status', 'status': 'Success', 'metadata': {}}

    async def _remove(self, key: tuple[Any, ...]) -> None:
        obj = self.store.pop(key)
        self.owners.pop(key, None)
        await self._emit('DELETED', key, obj)
        uid = obj['metadata'].get('uid')
        # Garbage collection: delete what this object owned (background propagation).
        for child_key, child in list(self.store.items()):
            refs = child['metadata'].get('ownerReferences') or []
            if child_key in self.store and any(r.get('uid') == uid for r in refs):
                await self._remove(child_key)

    def _scale(self, obj: dict[str, Any]) -> dict[str, Any]:
        return {
            'apiVersion': 'autoscaling/v1', 'kind': 'Scale',
            'metadata': {k: obj['metadata'].get(k) for k in ('name', 'namespace', 'uid', 'resourceVersion')},
            'spec': {'replicas': (obj.get('spec') or {}).get('replicas', 0)},
            'status': {'replicas': (obj.get('status') or {}).get('replicas', 0),
                       'selector': (obj.get('status') or {}).get('selector', '')},
        }

    async def _write(self, key: tuple[Any, ...], sub: str | None, method: str, ctype: str,
                     body: dict[str, Any], manager: str, force: bool) -> dict[str, Any]:
        apply = ctype == 'application/apply-patch+yaml'
        if key not in self.store:
            if apply and sub is None:
                body.setdefault('metadata', {})['name'] = key[4]
                obj = await self._create(key[:3], key[3], body)
                self.owners[key] = {p: manager for p in leaves(body) if p[:1] not in (('metadata',),)}
                return obj
            raise ApiError(404, 'NotFound', f'{key[2]} "{key[4]}" not found')
        old = self.store[key]
        wanted_rv = (body.get('metadata') or {}).get('resourceVersion') if isinstance(body, dict) else None
        if wanted_rv and wanted_rv != old['metadata'].get('resourceVersion'):
            raise ApiError(409, 'Conflict', 'the object has been modified; please apply your changes to the latest version')
        if sub == 'scale':
            replicas = (body.get('spec') or {}).get('replicas')
            body = {'spec': {'replicas': replicas}}
            sub = None
        if method == 'PUT':
            new = copy.deepcopy(body)
            new['metadata'] = {**old['metadata'], **{k: v for k, v in (body.get('metadata') or {}).items()
                                                     if k in ('labels', 'annotations', 'finalizers', 'ownerReferences')}}
        elif ctype == 'application/json-patch+json':
            ops = []
            for op in body:
                if op.get('op') == 'test' and dig(old, tuple(op['path'].strip('/').split('/'))) is None \
                        and op.get('value') is None:
                    continue  # Go treats a missing path as null
                ops.append(op)
            new = jsonpatch.apply_patch(old, ops)
        else:
            if apply and not force:
                owners = self.owners.get(key, {})
                for path, value in leaves(body).items():
                    if path[:1] in (('metadata',), ('apiVersion',), ('kind',)):
                        continue
                    current = dig(old, path)
                    owner = owners.get(path)
                    if current is not None and current != value and owner and owner != manager:
                        raise ApiError(409, 'Conflict', f'Apply failed with 1 conflict: conflict with "{owner}": .{".".join(path)}')
            new = merge_patch(old, body, strategic=ctype == 'application/strategic-merge-patch+json')
        # Status isolation: /status changes only status, the main resource never does.
        if sub == 'status':
            merged = copy.deepcopy(old)
            if 'status' in new:
                merged['status'] = new['status']
            else:
                merged.pop('status', None)
            new = merged
        else:
            if 'status' in old:
                new['status'] = copy.deepcopy(old['status'])
            else:
                new.pop('status', None)
        for fixed in ('uid', 'creationTimestamp', 'namespace', 'name', 'generation', 'resourceVersion'):
            if fixed in old['metadata']:
                new.setdefault('metadata', {})[fixed] = old['metadata'][fixed]
        if new.get('spec') != old.get('spec'):
            new['metadata']['generation'] = old['metadata'].get('generation', 1) + 1
        table = self.owners.setdefault(key, {})
        for path, value in leaves(body).items() if isinstance(body, dict) else []:
            if value is None:
                table.pop(path, None)
            elif manager:
                table[path] = manager
        if new == old:
            return old  # a no-op write: same resourceVersion, no event
        self.store[key] = new
        await self._emit('MODIFIED', key, new)
        return new
