#!/usr/bin/python3
"""Drives k8ts with the official Python client (Debian's python3-kubernetes), unchanged.

    python_client.py KUBECONFIG NAMESPACE list|create|watch

Prints one JSON object on stdout with what the client saw; python_client.test.ts asserts on it.
Errors from the client end the script with a non-zero exit and the exception on stderr.
"""

import json
import sys
import threading

from kubernetes import client, config, watch


def pod_body(name, labels):
    return {
        "apiVersion": "v1",
        "kind": "Pod",
        "metadata": {"name": name, "labels": labels},
        "spec": {"containers": [{"name": "main", "image": "busybox", "command": ["sleep", "3600"]}]},
    }


def do_list(v1, ns):
    pods = v1.list_namespaced_pod(ns, label_selector="test=list")
    everywhere = v1.list_pod_for_all_namespaces(label_selector="test in (list,other)")
    page = v1.list_namespaced_pod(ns, limit=1)
    return {
        "names": sorted(p.metadata.name for p in pods.items),
        "namespaces": sorted({p.metadata.namespace for p in pods.items}),
        "images": sorted({p.spec.containers[0].image for p in pods.items}),
        "timestampsParsed": all(p.metadata.creation_timestamp is not None and hasattr(p.metadata.creation_timestamp, "isoformat") for p in pods.items),
        "resourceVersion": pods.metadata.resource_version,
        "allNamespaces": sorted(f"{p.metadata.namespace}/{p.metadata.name}" for p in everywhere.items),
        "pageSize": len(page.items),
        "continue": page.metadata._continue,
    }


def do_create(v1, ns):
    created = v1.create_namespaced_pod(ns, pod_body("py-create", {"test": "create"}))
    read = v1.read_namespaced_pod("py-create", ns)
    conflict = None
    try:
        v1.create_namespaced_pod(ns, pod_body("py-create", {"test": "create"}))
    except client.exceptions.ApiException as e:
        body = json.loads(e.body)
        conflict = {"status": e.status, "kind": body.get("kind"), "reason": body.get("reason")}
    return {
        "name": created.metadata.name,
        "namespace": created.metadata.namespace,
        "uid": created.metadata.uid,
        "resourceVersion": created.metadata.resource_version,
        "creationTimestamp": created.metadata.creation_timestamp.isoformat(),
        "restartPolicy": created.spec.restart_policy,
        "dnsPolicy": created.spec.dns_policy,
        "imagePullPolicy": created.spec.containers[0].image_pull_policy,
        "phase": created.status.phase,
        "readUid": read.metadata.uid,
        "conflict": conflict,
    }


def do_watch(v1, ns):
    # Start from the list's resourceVersion so that nothing the helper thread does can be missed,
    # whenever the watch request itself gets going.
    rv = v1.list_namespaced_pod(ns, label_selector="test=watch").metadata.resource_version
    added = threading.Event()
    errors = []

    def act():
        try:
            v1.create_namespaced_pod(ns, pod_body("py-watch", {"test": "watch"}))
            if not added.wait(20):
                errors.append("no ADDED event within 20 s")
                return
            v1.delete_namespaced_pod("py-watch", ns, grace_period_seconds=0)
        except Exception as e:  # reported in the output, the watch times out on its own
            errors.append(repr(e))

    events = []
    w = watch.Watch()
    helper = threading.Thread(target=act, daemon=True)
    helper.start()
    for ev in w.stream(v1.list_namespaced_pod, ns, label_selector="test=watch", resource_version=rv, timeout_seconds=30):
        obj = ev["object"]
        events.append({"type": ev["type"], "name": obj.metadata.name, "kind": type(obj).__name__, "resourceVersion": obj.metadata.resource_version})
        if ev["type"] == "ADDED" and obj.metadata.name == "py-watch":
            added.set()
        if ev["type"] == "DELETED" and obj.metadata.name == "py-watch":
            w.stop()
    if not any(e["type"] == "DELETED" and e["name"] == "py-watch" for e in events):
        errors.append(f"the watch stream ended after {len(events)} events without DELETED for py-watch")
    helper.join(5)
    return {"events": events, "errors": errors}


def main():
    kubeconfig, ns, action = sys.argv[1:4]
    v1 = client.CoreV1Api(config.new_client_from_config(config_file=kubeconfig))
    result = {"list": do_list, "create": do_create, "watch": do_watch}[action](v1, ns)
    json.dump(result, sys.stdout)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()
