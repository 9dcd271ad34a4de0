-- Argo CD health of an ACK alibabacloud.com/v1 AlbConfig (the ALB Ingress Controller's
-- description of one ALB instance; Argo CD has no health check for it).
--   being deleted                                    -> Progressing
--   status.loadBalancer.id empty                     -> Progressing (no ALB created or bound yet)
--   label alb.ingress.kubernetes.io/hash absent      -> Progressing (never reconciled)
--   otherwise                                        -> Healthy
-- The controller writes no conditions and no observedGeneration, and reports failures only as
-- Events (FailedBuildModel, FailedApplyModel), which a health script cannot read. So Healthy only
-- means "the controller has reconciled this AlbConfig at least once"; whether the current spec
-- is applied, and ALB's jobs for it finished, is what an albjobs.io AsyncJobWatch of the load
-- balancer gates on (it waits for the controller's SuccessfullyReconciled Event and the jobs).
-- Only the base and table libraries are used: Argo CD runs health scripts from argocd-cm
-- without the string and math libraries (unless useOpenLibs is set for the kind).
local hs = {}
local HASH = "alb.ingress.kubernetes.io/hash"

if obj.metadata ~= nil and obj.metadata.deletionTimestamp ~= nil then
  hs.status = "Progressing"
  hs.message = "Being deleted: waiting for the ALB Ingress Controller to release the load balancer"
  return hs
end

local id = nil
local dns = nil
if obj.status ~= nil and obj.status.loadBalancer ~= nil then
  id = obj.status.loadBalancer.id
  dns = obj.status.loadBalancer.dnsname
end
if id == nil or id == "" then
  hs.status = "Progressing"
  hs.message = "Waiting for the ALB Ingress Controller to create or bind the load balancer"
    .. " (status.loadBalancer.id is empty); its Events show why it has not"
  return hs
end

local labels = nil
if obj.metadata ~= nil then
  labels = obj.metadata.labels
end
if labels == nil or labels[HASH] == nil or labels[HASH] == "" then
  hs.status = "Progressing"
  hs.message = "Load balancer " .. id .. " bound; waiting for the ALB Ingress Controller to"
    .. " reconcile this AlbConfig (no " .. HASH .. " label yet)"
  return hs
end

local where = ""
if dns ~= nil and dns ~= "" then
  where = " (" .. dns .. ")"
end
hs.status = "Healthy"
hs.message = "Load balancer " .. id .. where .. " reconciled by the ALB Ingress Controller"
  .. " at least once; this object cannot show that the current spec is applied and ALB's jobs"
  .. " finished: gate on an AsyncJobWatch of " .. id
return hs
