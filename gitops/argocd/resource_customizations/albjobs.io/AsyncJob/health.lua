-- Argo CD health of an albjobs.io/v1alpha1 AsyncJob: one Alibaba Cloud ALB async job.
--   Pending / Processing        -> Progressing
--   Succeeded                   -> Healthy
--   Failed                      -> Degraded (ALB error code and message)
--   Stalled=True (a problem only a person can fix: SecretNotFound, InvalidCredentials,
--   JobNotFound, ...)           -> Degraded (the condition's message)
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

-- " (CreateListener on alb-xxx)", or less when ALB has not said yet.
local function describe(status)
  if status.apiName ~= nil and status.resourceId ~= nil then
    return " (" .. status.apiName .. " on " .. status.resourceId .. ")"
  end
  if status.apiName ~= nil then
    return " (" .. status.apiName .. ")"
  end
  return ""
end

local jobId = obj.metadata.name
if obj.spec ~= nil and obj.spec.jobId ~= nil then
  jobId = obj.spec.jobId
end
local status = obj.status

if status == nil or status.phase == nil then
  hs.status = "Progressing"
  hs.message = "Waiting for the operator to pick up ALB job " .. jobId
  return hs
end

-- A finished job is final: spec.jobId is immutable and the operator never touches a finished
-- job again (not even to record a newer generation), so its outcome stands whatever the spec.
if status.phase == "Succeeded" then
  hs.status = "Healthy"
  hs.message = "ALB job " .. jobId .. describe(status) .. " succeeded"
  return hs
end
if status.phase == "Failed" then
  local errorCode = status.errorCode
  if errorCode == nil or errorCode == "" then
    errorCode = "Unknown"
  end
  hs.status = "Degraded"
  hs.message = "ALB job " .. jobId .. describe(status) .. " failed: " .. errorCode
  if status.errorMessage ~= nil and status.errorMessage ~= "" then
    hs.message = hs.message .. ": " .. status.errorMessage
  end
  return hs
end

-- Still in flight: conditions written for an older spec say nothing about the current one.
local generation = obj.metadata.generation
local observed = status.observedGeneration
if generation ~= nil and observed ~= nil and observed ~= generation then
  hs.status = "Progressing"
  hs.message = "Waiting for the operator to observe generation " .. tostring(generation)
    .. " (status is for generation " .. tostring(observed) .. ")"
  return hs
end

local stalled = findCondition(status.conditions, "Stalled")
if stalled ~= nil and stalled.status == "True" then
  hs.status = "Degraded"
  hs.message = stalled.message
  if hs.message == nil or hs.message == "" then
    hs.message = "ALB job " .. jobId .. " is stalled: " .. tostring(stalled.reason)
  end
  return hs
end

if status.phase == "Pending" then
  hs.status = "Progressing"
  hs.message = "ALB job " .. jobId .. " is pending: not visible in ALB ListAsynJobs yet"
  return hs
end
if status.phase == "Processing" then
  hs.status = "Progressing"
  hs.message = "ALB job " .. jobId .. describe(status) .. " is processing"
  return hs
end

hs.status = "Unknown"
hs.message = "ALB job " .. jobId .. " has an unknown phase: " .. tostring(status.phase)
return hs
