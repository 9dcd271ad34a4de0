-- Argo CD health of an albjobs.io/v1alpha1 AsyncJobWatch: the roll-up of the ALB jobs of a
-- set of ALB resources (the object Argo CD sees, since the AsyncJobs it creates are not in Git).
--   Ready=True                          -> Healthy   (polling healthy, nothing in flight or failed)
--   Stalled=True                        -> Degraded  (a job failed since the last spec change,
--                                                     polling needs a fix, e.g. credentials, or a
--                                                     change never settled: ChangeFailed when the
--                                                     ALB Ingress Controller failed it,
--                                                     SettleTimeout when it never reconciled it)
--   Reconciling=True                    -> Progressing (jobs in flight, a transient ALB error, or
--                                                     Settling: waiting after a change to an
--                                                     Ingress, AlbConfig or the watch itself)
--   Ready reason Suspended              -> Suspended (spec.suspend)
--   no status yet, or status.observedGeneration behind metadata.generation -> Progressing
-- Only the base and table libraries are used: Argo CD runs health scripts from argocd-cm
-- without the string and math libraries (unless useOpenLibs is set for the kind).
local hs = {}

local function findCondition(conditions, conditionType)
  if conditions == nil then
    return nil
  end
  for _, condition in ipairs(conditions) do
    if condition.type == conditionType then
      return condition
    end
  end
  return nil
end

local function messageOf(condition)
  if condition.message ~= nil and condition.message ~= "" then
    return condition.message
  end
  return tostring(condition.reason)
end

local status = obj.status
if status == nil then
  hs.status = "Progressing"
  hs.message = "Waiting for the operator to sync the watch"
  return hs
end

local generation = obj.metadata.generation
local observed = status.observedGeneration
if generation ~= nil and observed ~= nil and observed ~= generation then
  hs.status = "Progressing"
  hs.message = "Waiting for the operator to observe generation " .. tostring(generation)
    .. " (status is for generation " .. tostring(observed) .. ")"
  return hs
end

local ready = findCondition(status.conditions, "Ready")
local reconciling = findCondition(status.conditions, "Reconciling")
local stalled = findCondition(status.conditions, "Stalled")

if ready ~= nil and ready.reason == "Suspended" then
  hs.status = "Suspended"
  hs.message = messageOf(ready)
  return hs
end
-- Stalled wins over Reconciling: a failed job stays failed while others are still in flight.
if stalled ~= nil and stalled.status == "True" then
  hs.status = "Degraded"
  hs.message = messageOf(stalled)
  return hs
end
if ready ~= nil and ready.status == "True" then
  hs.status = "Healthy"
  hs.message = messageOf(ready)
  return hs
end
if reconciling ~= nil and reconciling.status == "True" then
  hs.status = "Progressing"
  hs.message = messageOf(reconciling)
  return hs
end

hs.status = "Progressing"
hs.message = "Waiting for the operator to report the watch Ready"
return hs
