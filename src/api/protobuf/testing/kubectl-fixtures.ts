// Request bodies captured from the real kubectl v1.32.4 (Content-Type: application/vnd.kubernetes.protobuf)
// through a recording proxy in front of k8ts, each with the JSON it must decode to: what
// `kubectl … --dry-run=client -o json` prints (Go's encoding/json of the same object) without
// its null values; for token and auth can-i, which have no dry run, the object written by hand.

export interface KubectlFixture {
  command: string;
  method: string;
  path: string;
  /** The body as sent, base64. */
  body: string;
  json: Record<string, unknown>;
}

export const KUBECTL_FIXTURES: readonly KubectlFixture[] = [
  {
    command: "kubectl create configmap cm1 --from-literal=a=b",
    method: "POST",
    path: "/api/v1/namespaces/default/configmaps?fieldManager=kubectl-create&fieldValidation=Strict",
    body: "azhzAAoPCgJ2MRIJQ29uZmlnTWFwEh0KEwoDY20xEgAaACIAKgAyADgAQgASBgoBYRIBYhoAIgA=",
    json: {"kind":"ConfigMap","apiVersion":"v1","metadata":{"name":"cm1"},"data":{"a":"b"}},
  },
  {
    command: "kubectl create secret generic s1 --from-literal=user=admin --from-literal=pass=s3cr3t",
    method: "POST",
    path: "/api/v1/namespaces/default/secrets?fieldManager=kubectl-create&fieldValidation=Strict",
    body: "azhzAAoMCgJ2MRIGU2VjcmV0EjUKEgoCczESABoAIgAqADIAOABCABIOCgRwYXNzEgZzM2NyM3QSDQoEdXNlchIFYWRtaW4aABoAIgA=",
    json: {"kind":"Secret","apiVersion":"v1","metadata":{"name":"s1"},"data":{"pass":"czNjcjN0","user":"YWRtaW4="}},
  },
  {
    command: "kubectl create deployment web --image=nginx --replicas=0",
    method: "POST",
    path: "/apis/apps/v1/namespaces/default/deployments?fieldManager=kubectl-create&fieldValidation=Strict",
    body: "azhzAAoVCgdhcHBzL3YxEgpEZXBsb3ltZW50EqsBCh8KA3dlYhIAGgAiACoAMgA4AEIAWgoKA2FwcBIDd2ViEnoIABIMCgoKA2FwcBIDd2ViGmAKHAoAEgAaACIAKgAyADgAQgBaCgoDYXBwEgN3ZWISQBIiCgVuZ2lueBIFbmdpbngqAEIAagByAIABAIgBAJABAKIBABoAMgBCAEoAUgBYAGAAaACCAQCKAQCaAQDCAQAiAgoAKAA4ABoMCAAQABgAIAAoADgAGgAiAA==",
    json: {"kind":"Deployment","apiVersion":"apps/v1","metadata":{"name":"web","labels":{"app":"web"}},"spec":{"replicas":0,"selector":{"matchLabels":{"app":"web"}},"template":{"metadata":{"labels":{"app":"web"}},"spec":{"containers":[{"name":"nginx","image":"nginx","resources":{}}]}},"strategy":{}},"status":{}},
  },
  {
    command: "kubectl create namespace ns1",
    method: "POST",
    path: "/api/v1/namespaces?fieldManager=kubectl-create&fieldValidation=Strict",
    body: "azhzAAoPCgJ2MRIJTmFtZXNwYWNlEhsKEwoDbnMxEgAaACIAKgAyADgAQgASABoCCgAaACIA",
    json: {"kind":"Namespace","apiVersion":"v1","metadata":{"name":"ns1"},"spec":{},"status":{}},
  },
  {
    command: "kubectl create service nodeport np1 --tcp=5678:8080",
    method: "POST",
    path: "/api/v1/namespaces/default/services?fieldManager=kubectl-create&fieldValidation=Strict",
    body: "azhzAAoNCgJ2MRIHU2VydmljZRJrCh8KA25wMRIAGgAiACoAMgA4AEIAWgoKA2FwcBIDbnAxEkQKHgoJNTY3OC04MDgwEgNUQ1AYriwiBwgAEJA/GgAoABIKCgNhcHASA25wMRoAIghOb2RlUG9ydDoAQgBSAFoAYABoABoCCgAaACIA",
    json: {"kind":"Service","apiVersion":"v1","metadata":{"name":"np1","labels":{"app":"np1"}},"spec":{"ports":[{"name":"5678-8080","protocol":"TCP","port":5678,"targetPort":8080}],"selector":{"app":"np1"},"type":"NodePort"},"status":{"loadBalancer":{}}},
  },
  {
    command: "kubectl create job job1 --image=busybox -- echo hi",
    method: "POST",
    path: "/apis/batch/v1/namespaces/default/jobs?fieldManager=kubectl-create&fieldValidation=Strict",
    body: "azhzAAoPCghiYXRjaC92MRIDSm9iEogBChQKBGpvYjESABoAIgAqADIAOABCABJmMmQKEAoAEgAaACIAKgAyADgAQgASUBItCgRqb2IxEgdidXN5Ym94GgRlY2hvGgJoaSoAQgBqAHIAgAEAiAEAkAEAogEAGgVOZXZlcjIAQgBKAFIAWABgAGgAggEAigEAmgEAwgEAGgggACgAMAA6ABoAIgA=",
    json: {"kind":"Job","apiVersion":"batch/v1","metadata":{"name":"job1"},"spec":{"template":{"metadata":{},"spec":{"containers":[{"name":"job1","image":"busybox","command":["echo","hi"],"resources":{}}],"restartPolicy":"Never"}}},"status":{}},
  },
  {
    command: "kubectl create cronjob cj1 --image=busybox --schedule='*/1 * * * *' -- date",
    method: "POST",
    path: "/apis/batch/v1/namespaces/default/cronjobs?fieldManager=kubectl-create&fieldValidation=Strict",
    body: "azhzAAoTCghiYXRjaC92MRIHQ3JvbkpvYhKnAQoTCgNjajESABoAIgAqADIAOABCABKNAQoLKi8xICogKiAqICoaACp8ChMKA2NqMRIAGgAiACoAMgA4AEIAEmUyYwoQCgASABoAIgAqADIAOABCABJPEigKA2NqMRIHYnVzeWJveBoEZGF0ZSoAQgBqAHIAgAEAiAEAkAEAogEAGglPbkZhaWx1cmUyAEIASgBSAFgAYABoAIIBAIoBAJoBAMIBABoAGgAiAA==",
    json: {"kind":"CronJob","apiVersion":"batch/v1","metadata":{"name":"cj1"},"spec":{"schedule":"*/1 * * * *","jobTemplate":{"metadata":{"name":"cj1"},"spec":{"template":{"metadata":{},"spec":{"containers":[{"name":"cj1","image":"busybox","command":["date"],"resources":{}}],"restartPolicy":"OnFailure"}}}}},"status":{}},
  },
  {
    command: "kubectl create role r1 --verb=get,list --resource=pods,deployments.apps",
    method: "POST",
    path: "/apis/rbac.authorization.k8s.io/v1/namespaces/default/roles?fieldManager=kubectl-create&fieldValidation=Strict",
    body: "azhzAAokChxyYmFjLmF1dGhvcml6YXRpb24uazhzLmlvL3YxEgRSb2xlEkkKEgoCcjESABoAIgAqADIAOABCABITCgNnZXQKBGxpc3QSABoEcG9kcxIeCgNnZXQKBGxpc3QSBGFwcHMaC2RlcGxveW1lbnRzGgAiAA==",
    json: {"kind":"Role","apiVersion":"rbac.authorization.k8s.io/v1","metadata":{"name":"r1"},"rules":[{"verbs":["get","list"],"apiGroups":[""],"resources":["pods"]},{"verbs":["get","list"],"apiGroups":["apps"],"resources":["deployments"]}]},
  },
  {
    command: "kubectl create rolebinding rb1 --role=r1 --user=alice --serviceaccount=default:sa1",
    method: "POST",
    path: "/apis/rbac.authorization.k8s.io/v1/namespaces/default/rolebindings?fieldManager=kubectl-create&fieldValidation=Strict",
    body: "azhzAAorChxyYmFjLmF1dGhvcml6YXRpb24uazhzLmlvL3YxEgtSb2xlQmluZGluZxKKAQoTCgNyYjESABoAIgAqADIAOABCABIqCgRVc2VyEhlyYmFjLmF1dGhvcml6YXRpb24uazhzLmlvGgVhbGljZSIAEiAKDlNlcnZpY2VBY2NvdW50EgAaA3NhMSIHZGVmYXVsdBolChlyYmFjLmF1dGhvcml6YXRpb24uazhzLmlvEgRSb2xlGgJyMRoAIgA=",
    json: {"kind":"RoleBinding","apiVersion":"rbac.authorization.k8s.io/v1","metadata":{"name":"rb1"},"subjects":[{"kind":"User","apiGroup":"rbac.authorization.k8s.io","name":"alice"},{"kind":"ServiceAccount","name":"sa1","namespace":"default"}],"roleRef":{"apiGroup":"rbac.authorization.k8s.io","kind":"Role","name":"r1"}},
  },
  {
    command: "kubectl create serviceaccount sa1",
    method: "POST",
    path: "/api/v1/namespaces/default/serviceaccounts?fieldManager=kubectl-create&fieldValidation=Strict",
    body: "azhzAAoUCgJ2MRIOU2VydmljZUFjY291bnQSFQoTCgNzYTESABoAIgAqADIAOABCABoAIgA=",
    json: {"kind":"ServiceAccount","apiVersion":"v1","metadata":{"name":"sa1"}},
  },
  {
    command: "kubectl create priorityclass pc1 --value=1000 --description=high",
    method: "POST",
    path: "/apis/scheduling.k8s.io/v1/priorityclasses?fieldManager=kubectl-create&fieldValidation=Strict",
    body: "azhzAAolChRzY2hlZHVsaW5nLms4cy5pby92MRINUHJpb3JpdHlDbGFzcxI2ChMKA3BjMRIAGgAiACoAMgA4AEIAEOgHGAAiBGhpZ2gqFFByZWVtcHRMb3dlclByaW9yaXR5GgAiAA==",
    json: {"kind":"PriorityClass","apiVersion":"scheduling.k8s.io/v1","metadata":{"name":"pc1"},"value":1000,"description":"high","preemptionPolicy":"PreemptLowerPriority"},
  },
  {
    command: "kubectl create quota q1 --hard=cpu=1,memory=1G,pods=2",
    method: "POST",
    path: "/api/v1/namespaces/default/resourcequotas?fieldManager=kubectl-create&fieldValidation=Strict",
    body: "azhzAAoTCgJ2MRINUmVzb3VyY2VRdW90YRJBChIKAnExEgAaACIAKgAyADgAQgASKQoKCgNjcHUSAwoBMQoOCgZtZW1vcnkSBAoCMUcKCwoEcG9kcxIDCgEyGgAaACIA",
    json: {"kind":"ResourceQuota","apiVersion":"v1","metadata":{"name":"q1"},"spec":{"hard":{"cpu":"1","memory":"1G","pods":"2"}},"status":{}},
  },
  {
    command: "kubectl create poddisruptionbudget pdb1 --selector=app=web --min-available=50%",
    method: "POST",
    path: "/apis/policy/v1/namespaces/default/poddisruptionbudgets?fieldManager=kubectl-create&fieldValidation=Strict",
    body: "azhzAAogCglwb2xpY3kvdjESE1BvZERpc3J1cHRpb25CdWRnZXQSPQoUCgRwZGIxEgAaACIAKgAyADgAQgASGQoJCAEQABoDNTAlEgwKCgoDYXBwEgN3ZWIaCggAGAAgACgAMAAaACIA",
    json: {"kind":"PodDisruptionBudget","apiVersion":"policy/v1","metadata":{"name":"pdb1"},"spec":{"minAvailable":"50%","selector":{"matchLabels":{"app":"web"}}},"status":{"disruptionsAllowed":0,"currentHealthy":0,"desiredHealthy":0,"expectedPods":0}},
  },
  {
    command: "kubectl create ingress ing1 --rule=foo.com/bar=svc1:8080",
    method: "POST",
    path: "/apis/networking.k8s.io/v1/namespaces/default/ingresses?fieldManager=kubectl-create&fieldValidation=Strict",
    body: "azhzAAofChRuZXR3b3JraW5nLms4cy5pby92MRIHSW5ncmVzcxJLChQKBGluZzESABoAIgAqADIAOABCABIvGi0KB2Zvby5jb20SIgogCh4KBC9iYXISDyINCgRzdmMxEgUKABCQPxoFRXhhY3QaAgoAGgAiAA==",
    json: {"kind":"Ingress","apiVersion":"networking.k8s.io/v1","metadata":{"name":"ing1"},"spec":{"rules":[{"host":"foo.com","http":{"paths":[{"path":"/bar","pathType":"Exact","backend":{"service":{"name":"svc1","port":{"number":8080}}}}]}}]},"status":{"loadBalancer":{}}},
  },
  {
    command: "kubectl auth can-i create pods",
    method: "POST",
    path: "/apis/authorization.k8s.io/v1/selfsubjectaccessreviews",
    body: "azhzAAoyChdhdXRob3JpemF0aW9uLms4cy5pby92MRIXU2VsZlN1YmplY3RBY2Nlc3NSZXZpZXcSPwoQCgASABoAIgAqADIAOABCABIhCh8KB2RlZmF1bHQSBmNyZWF0ZRoAIgAqBHBvZHMyADoAGggIABIAGgAgABoAIgA=",
    json: {"apiVersion":"authorization.k8s.io/v1","kind":"SelfSubjectAccessReview","metadata":{},"spec":{"resourceAttributes":{"namespace":"default","verb":"create","resource":"pods"}},"status":{"allowed":false}},
  },
  {
    command: "kubectl create token default",
    method: "POST",
    path: "/api/v1/namespaces/default/serviceaccounts/default/token",
    body: "azhzAAooChhhdXRoZW50aWNhdGlvbi5rOHMuaW8vdjESDFRva2VuUmVxdWVzdBIaChAKABIAGgAiACoAMgA4AEIAEgAaBAoAEgAaACIA",
    json: {"apiVersion":"authentication.k8s.io/v1","kind":"TokenRequest","metadata":{},"spec":{},"status":{"token":""}},
  },
  {
    command: "kubectl create clusterrole agg1 --aggregation-rule=rbac.example.com/aggregate=true",
    method: "POST",
    path: "/apis/rbac.authorization.k8s.io/v1/clusterroles?fieldManager=kubectl-create&fieldValidation=Strict",
    body: "azhzAAorChxyYmFjLmF1dGhvcml6YXRpb24uazhzLmlvL3YxEgtDbHVzdGVyUm9sZRI+ChQKBGFnZzESABoAIgAqADIAOABCABomCiQKIgoacmJhYy5leGFtcGxlLmNvbS9hZ2dyZWdhdGUSBHRydWUaACIA",
    json: {"kind":"ClusterRole","apiVersion":"rbac.authorization.k8s.io/v1","metadata":{"name":"agg1"},"aggregationRule":{"clusterRoleSelectors":[{"matchLabels":{"rbac.example.com/aggregate":"true"}}]}},
  },
  {
    command: "kubectl create service externalname ext1 --external-name=example.com",
    method: "POST",
    path: "/api/v1/namespaces/default/services?fieldManager=kubectl-create&fieldValidation=Strict",
    body: "azhzAAoNCgJ2MRIHU2VydmljZRJdCiEKBGV4dDESABoAIgAqADIAOABCAFoLCgNhcHASBGV4dDESNBILCgNhcHASBGV4dDEaACIMRXh0ZXJuYWxOYW1lOgBCAFILZXhhbXBsZS5jb21aAGAAaAAaAgoAGgAiAA==",
    json: {"kind":"Service","apiVersion":"v1","metadata":{"name":"ext1","labels":{"app":"ext1"}},"spec":{"selector":{"app":"ext1"},"type":"ExternalName","externalName":"example.com"},"status":{"loadBalancer":{}}},
  },
  {
    command: "kubectl create deployment web2 --image=nginx --port=80 -r 2",
    method: "POST",
    path: "/apis/apps/v1/namespaces/default/deployments?fieldManager=kubectl-create&fieldValidation=Strict",
    body: "azhzAAoVCgdhcHBzL3YxEgpEZXBsb3ltZW50ErwBCiEKBHdlYjISABoAIgAqADIAOABCAFoLCgNhcHASBHdlYjISiAEIAhINCgsKA2FwcBIEd2ViMhptCh0KABIAGgAiACoAMgA4AEIAWgsKA2FwcBIEd2ViMhJMEi4KBW5naW54EgVuZ2lueCoAMgoKABAAGFAiACoAQgBqAHIAgAEAiAEAkAEAogEAGgAyAEIASgBSAFgAYABoAIIBAIoBAJoBAMIBACICCgAoADgAGgwIABAAGAAgACgAOAAaACIA",
    json: {"kind":"Deployment","apiVersion":"apps/v1","metadata":{"name":"web2","labels":{"app":"web2"}},"spec":{"replicas":2,"selector":{"matchLabels":{"app":"web2"}},"template":{"metadata":{"labels":{"app":"web2"}},"spec":{"containers":[{"name":"nginx","image":"nginx","ports":[{"containerPort":80}],"resources":{}}]}},"strategy":{}},"status":{}},
  },
  {
    command: "kubectl create token default --duration=10m --audience=a1 --bound-object-kind=Pod --bound-object-name=p1 --bound-object-uid=123",
    method: "POST",
    path: "/api/v1/namespaces/default/serviceaccounts/default/token",
    body: "azhzAAooChhhdXRoZW50aWNhdGlvbi5rOHMuaW8vdjESDFRva2VuUmVxdWVzdBI1ChAKABIAGgAiACoAMgA4AEIAEhsKAmExGhIKA1BvZBICdjEaAnAxIgMxMjMg2AQaBAoAEgAaACIA",
    json: {"apiVersion":"authentication.k8s.io/v1","kind":"TokenRequest","metadata":{},"spec":{"audiences":["a1"],"expirationSeconds":600,"boundObjectRef":{"kind":"Pod","apiVersion":"v1","name":"p1","uid":"123"}},"status":{"token":""}},
  },
  {
    command: "kubectl auth can-i list secrets --subresource=status -n kube-system",
    method: "POST",
    path: "/apis/authorization.k8s.io/v1/selfsubjectaccessreviews",
    body: "azhzAAoyChdhdXRob3JpemF0aW9uLms4cy5pby92MRIXU2VsZlN1YmplY3RBY2Nlc3NSZXZpZXcSSgoQCgASABoAIgAqADIAOABCABIsCioKC2t1YmUtc3lzdGVtEgRsaXN0GgAiACoHc2VjcmV0czIGc3RhdHVzOgAaCAgAEgAaACAAGgAiAA==",
    json: {"apiVersion":"authorization.k8s.io/v1","kind":"SelfSubjectAccessReview","metadata":{},"spec":{"resourceAttributes":{"namespace":"kube-system","verb":"list","resource":"secrets","subresource":"status"}},"status":{"allowed":false}},
  },
  {
    command: "kubectl create configmap empty1",
    method: "POST",
    path: "/api/v1/namespaces/default/configmaps?fieldManager=kubectl-create&fieldValidation=Strict",
    body: "azhzAAoPCgJ2MRIJQ29uZmlnTWFwEhgKFgoGZW1wdHkxEgAaACIAKgAyADgAQgAaACIA",
    json: {"kind":"ConfigMap","apiVersion":"v1","metadata":{"name":"empty1"}},
  },
  {
    command: "kubectl certificate approve csr1",
    method: "PUT",
    path: "/apis/certificates.k8s.io/v1/certificatesigningrequests/csr1/approval",
    body: "azhzAAozChZjZXJ0aWZpY2F0ZXMuazhzLmlvL3YxEhlDZXJ0aWZpY2F0ZVNpZ25pbmdSZXF1ZXN0EtoICkIKBGNzcjESABoAIgAqJGE5ZWU0ZTJhLTRhZGUtNDU0Zi04Y2ZiLWNiMzg2NzNkYzJkMDICMjY4AEIICIPpidgGEAASrAcK8wYtLS0tLUJFR0lOIENFUlRJRklDQVRFIFJFUVVFU1QtLS0tLQpNSUlDVXpDQ0FUc0NBUUF3RGpFTU1Bb0dBMVVFQXd3RFltOWlNSUlCSWpBTkJna3Foa2lHOXcwQkFRRUZBQU9DCkFROEFNSUlCQ2dLQ0FRRUF3bGpRMkl0WUtIYStXdDZpYkx4K3dHdTVaSzVZYVlsRTlqbWJUUkltcjhHODVqZzYKeEZQNklpZ2MvbHJmdHJOVm9qZHR3dDAyZVNhWk9rWFhQRlRndVo1QlV0TE9NNW5renkrUVpOSzIzK3FDK3RWbQo5RVR0ZTZYTVBVRXE5NUFCOWFBNDBhMmdveFprcHArRjFXRDMwNjhzNHBwVnZYVUlrQ3ZxRGhBWmlwQzd2VVU0CjdYSndaVVJEdVFPWlloY2IvVWVaaVZyQTU3S1ZoZ2d3UkFqeThTQzFVdVZTbWhTR0w3bkNkMkIycXo5NlNCaXMKQWVQOUVrUUo3TnFmMHpyOVF3K2s3VHlTOWliakt0WS8wYzFucXVuVzBzYUQvYmpWS25HRENRQndiUW9WcExDSQpyV24wbS9pZmZUNS9qYklkWURCcVBZejRnQlBuR0tPUlg5SVB3UUlEQVFBQm9BQXdEUVlKS29aSWh2Y05BUUVMCkJRQURnZ0VCQURlNHIzbXNyRkg0K3RyTHFrRGZ4VVJJMjg2VncvR09rMzRFU3dWQTNNQUJUREdBaTgrNCtDMW4KcHhnZFd1a09Ga2prQ3M4b2tidm82RHdlR3QxWHhUeU5HSFlNeitLVnF1WW5zQ2I0cWVyYTlId0xseVlFckJBRwp0Zld2dHRpa2haRGF1OHlNdEpjRExKd1p2dFBmUlRCbFdWQkhGSU1meGRXaXVSdGlPZlFzNTVLbzY3azNuTUhlCmlkb2w4RlNSZlJPT3YxTjNzZXlWTWhpVi9iTlQzNGJheU9FdVU3OUQrUG4xRk9Rc2lFd1d2TjVkc3RWMUZUakgKSWIrbVR6ZE10ckpVWWNvcjA2eTJkc1MwSFpnb0pTUkpWYUh0WSthKzNuVWtqa1JRVkRlWDhNUUFUbGlDdkJiMgpzZEVzajJsaGpnSFVpYlY5SjkyK2JjLzd2b3k1RVE0PQotLS0tLUVORCBDRVJUSUZJQ0FURSBSRVFVRVNULS0tLS0KEgAaACoLY2xpZW50IGF1dGg6I2t1YmVybmV0ZXMuaW8va3ViZS1hcGlzZXJ2ZXItY2xpZW50GmUKYwoIQXBwcm92ZWQSDkt1YmVjdGxBcHByb3ZlGjVUaGlzIENTUiB3YXMgYXBwcm92ZWQgYnkga3ViZWN0bCBjZXJ0aWZpY2F0ZSBhcHByb3ZlLiIICInpidgGEAAqADIEVHJ1ZRoAIgA=",
    json: {"apiVersion":"certificates.k8s.io/v1","kind":"CertificateSigningRequest","metadata":{"creationTimestamp":"2026-11-22T04:50:11Z","name":"csr1","resourceVersion":"26","uid":"a9ee4e2a-4ade-454f-8cfb-cb38673dc2d0"},"spec":{"request":"LS0tLS1CRUdJTiBDRVJUSUZJQ0FURSBSRVFVRVNULS0tLS0KTUlJQ1V6Q0NBVHNDQVFBd0RqRU1NQW9HQTFVRUF3d0RZbTlpTUlJQklqQU5CZ2txaGtpRzl3MEJBUUVGQUFPQwpBUThBTUlJQkNnS0NBUUVBd2xqUTJJdFlLSGErV3Q2aWJMeCt3R3U1Wks1WWFZbEU5am1iVFJJbXI4Rzg1amc2CnhGUDZJaWdjL2xyZnRyTlZvamR0d3QwMmVTYVpPa1hYUEZUZ3VaNUJVdExPTTVua3p5K1FaTksyMytxQyt0Vm0KOUVUdGU2WE1QVUVxOTVBQjlhQTQwYTJnb3haa3BwK0YxV0QzMDY4czRwcFZ2WFVJa0N2cURoQVppcEM3dlVVNAo3WEp3WlVSRHVRT1pZaGNiL1VlWmlWckE1N0tWaGdnd1JBank4U0MxVXVWU21oU0dMN25DZDJCMnF6OTZTQmlzCkFlUDlFa1FKN05xZjB6cjlRdytrN1R5UzlpYmpLdFkvMGMxbnF1blcwc2FEL2JqVktuR0RDUUJ3YlFvVnBMQ0kKclduMG0vaWZmVDUvamJJZFlEQnFQWXo0Z0JQbkdLT1JYOUlQd1FJREFRQUJvQUF3RFFZSktvWklodmNOQVFFTApCUUFEZ2dFQkFEZTRyM21zckZINCt0ckxxa0RmeFVSSTI4NlZ3L0dPazM0RVN3VkEzTUFCVERHQWk4KzQrQzFuCnB4Z2RXdWtPRmtqa0NzOG9rYnZvNkR3ZUd0MVh4VHlOR0hZTXorS1ZxdVluc0NiNHFlcmE5SHdMbHlZRXJCQUcKdGZXdnR0aWtoWkRhdTh5TXRKY0RMSndadnRQZlJUQmxXVkJIRklNZnhkV2l1UnRpT2ZRczU1S282N2szbk1IZQppZG9sOEZTUmZST092MU4zc2V5Vk1oaVYvYk5UMzRiYXlPRXVVNzlEK1BuMUZPUXNpRXdXdk41ZHN0VjFGVGpICkliK21UemRNdHJKVVljb3IwNnkyZHNTMEhaZ29KU1JKVmFIdFkrYSszblVramtSUVZEZVg4TVFBVGxpQ3ZCYjIKc2RFc2oybGhqZ0hVaWJWOUo5MitiYy83dm95NUVRND0KLS0tLS1FTkQgQ0VSVElGSUNBVEUgUkVRVUVTVC0tLS0tCg==","signerName":"kubernetes.io/kube-apiserver-client","usages":["client auth"]},"status":{"conditions":[{"type":"Approved","status":"True","reason":"KubectlApprove","message":"This CSR was approved by kubectl certificate approve.","lastUpdateTime":"2026-11-22T04:50:17Z"}]}},
  },
  {
    command: "kubectl create job fromcj --from=cronjob/cj1",
    method: "POST",
    path: "/apis/batch/v1/namespaces/default/jobs?fieldManager=kubectl-create&fieldValidation=Strict",
    body: "azhzAAoPCghiYXRjaC92MRIDSm9iEuQCCoUBCgZmcm9tY2oSABoAIgAqADIAOABCAGIrCiFjcm9uam9iLmt1YmVybmV0ZXMuaW8vaW5zdGFudGlhdGUSBm1hbnVhbGpACgdDcm9uSm9iGgNjajEiJDdiZTMzODZhLTQyMDEtNDMzNi1hOGQ4LWQwZTYxMGVkZjRmMioIYmF0Y2gvdjEwARLPAQgBEAEyowEKEAoAEgAaACIAKgAyADgAQgASjgESRgoDY2oxEgdidXN5Ym94GgRkYXRlKgBCAGoUL2Rldi90ZXJtaW5hdGlvbi1sb2dyBkFsd2F5c4ABAIgBAJABAKIBBEZpbGUaCU9uRmFpbHVyZSAeMgxDbHVzdGVyRmlyc3RCAEoAUgBYAGAAaAByAIIBAIoBAJoBEWRlZmF1bHQtc2NoZWR1bGVywgEAOAZKCk5vbkluZGV4ZWRQAHITVGVybWluYXRpbmdPckZhaWxlZBoIIAAoADAAOgAaACIA",
    json: {"kind":"Job","apiVersion":"batch/v1","metadata":{"name":"fromcj","annotations":{"cronjob.kubernetes.io/instantiate":"manual"},"ownerReferences":[{"apiVersion":"batch/v1","kind":"CronJob","name":"cj1","uid":"7be3386a-4201-4336-a8d8-d0e610edf4f2","controller":true}]},"spec":{"parallelism":1,"completions":1,"backoffLimit":6,"template":{"metadata":{},"spec":{"containers":[{"name":"cj1","image":"busybox","command":["date"],"resources":{},"terminationMessagePath":"/dev/termination-log","terminationMessagePolicy":"File","imagePullPolicy":"Always"}],"restartPolicy":"OnFailure","terminationGracePeriodSeconds":30,"dnsPolicy":"ClusterFirst","securityContext":{},"schedulerName":"default-scheduler"}},"completionMode":"NonIndexed","suspend":false,"podReplacementPolicy":"TerminatingOrFailed"},"status":{}},
  },
];
