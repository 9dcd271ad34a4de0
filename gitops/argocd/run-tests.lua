-- Runs the albjobs.io Argo CD health checks the way Argo CD runs them, and checks that
-- argocd-cm.yaml is what render-argocd-cm.sh renders from the scripts.
--
--   lua5.1 gitops/argocd/run-tests.lua [resource_customizations dir]
--
-- For every <group>/<Kind>/health_test.yaml (Argo CD's own layout: tests[].inputPath and
-- tests[].healthStatus.{status,message}) it loads each testdata object (YAML -> JSON with
-- python3 + PyYAML, then lua-cjson; JSON null becomes nil, as in Argo CD's decodeValue), runs
-- health.lua with the object as the global `obj`, and compares status and message. The testdata
-- objects are generated from the operator's status code (GitopsFixturesTest;
-- scripts/update-gitops-testdata.sh), so these are the statuses the operator really writes.
--
-- Argo CD (gopher-lua, Lua 5.1) opens only the base, table, package and a "safe" os library
-- for scripts that come from argocd-cm (useOpenLibs off): no string or math library, and no
-- string methods. The sandbox below gives a script exactly that much, so a script that would
-- fail in Argo CD fails here too.
--
-- Last line: "N passed, M failed"; exit status 1 if anything failed.

local cjson = require("cjson")

local passed, failed = 0, 0

local function ok(name)
  passed = passed + 1
  print("ok    " .. name)
end

local function fail(name, why)
  failed = failed + 1
  print("FAIL  " .. name .. ": " .. why)
end

local function dirname(path)
  local d = path:match("^(.*)/[^/]*$")
  return d or "."
end

local function shellQuote(s)
  return "'" .. s:gsub("'", "'\\''") .. "'"
end

local function readFile(path)
  local f, err = io.open(path, "rb")
  if not f then
    return nil, err
  end
  local text = f:read("*a")
  f:close()
  return text
end

local function run(command)
  -- stderr is left alone: it reaches the terminal and cannot corrupt the JSON on stdout.
  -- (Lua 5.1 cannot read a popen exit status; callers judge the output instead.)
  local p = assert(io.popen(command, "r"))
  local out = p:read("*a")
  p:close()
  return out
end

local here = dirname(arg[0])
local root = arg[1] or (here .. "/resource_customizations")

-- YAML -> JSON for a batch of files, with one python3 process.
local YAML_TO_JSON = [[
import json, sys
try:
    import yaml
except ImportError:
    sys.stdout.write(json.dumps({"__error__": "python3 has no PyYAML (pip install pyyaml)"}))
    sys.exit(0)
out = {}
for path in sys.argv[1:]:
    try:
        with open(path) as f:
            out[path] = yaml.safe_load(f)
    except Exception as e:
        out[path] = {"__error__": "%s: %s" % (path, e)}
sys.stdout.write(json.dumps(out, default=str))
]]

local function denull(value)
  if value == cjson.null then
    return nil
  end
  if type(value) == "table" then
    for k, v in pairs(value) do
      value[k] = denull(v)
    end
  end
  return value
end

local function loadYamlFiles(paths)
  local args = {}
  for _, p in ipairs(paths) do
    args[#args + 1] = shellQuote(p)
  end
  local out = run("python3 -c " .. shellQuote(YAML_TO_JSON) .. " " .. table.concat(args, " "))
  local okDecode, decoded = pcall(cjson.decode, out)
  if not okDecode or type(decoded) ~= "table" then
    return nil, "could not convert YAML to JSON: " .. out
  end
  if decoded.__error__ then
    return nil, decoded.__error__
  end
  return decoded
end

-- The environment Argo CD gives a health script (base + table + safe os), plus `obj`.
local function sandbox(obj)
  local env = {
    obj = obj,
    assert = assert, error = error, ipairs = ipairs, next = next, pairs = pairs,
    pcall = pcall, print = print, rawequal = rawequal, rawget = rawget, rawset = rawset,
    select = select, setmetatable = setmetatable, getmetatable = getmetatable,
    tonumber = tonumber, tostring = tostring, type = type, unpack = unpack, xpcall = xpcall,
    _VERSION = _VERSION,
    table = {
      concat = table.concat, insert = table.insert, remove = table.remove,
      sort = table.sort, getn = table.getn, maxn = table.maxn,
    },
    os = { time = os.time, date = os.date, clock = os.clock },
  }
  env._G = env
  setmetatable(env, {
    __index = function(_, name)
      error("global '" .. tostring(name) .. "' does not exist in Argo CD's health-script sandbox"
        .. " (base, table and safe os libraries only)", 2)
    end,
  })
  return env
end

local VALID = {
  Healthy = true, Progressing = true, Degraded = true,
  Suspended = true, Missing = true, Unknown = true,
}

-- Runs one script on one object; returns status, message or nil, error.
local function evaluate(source, chunkName, obj)
  local chunk, loadErr = loadstring(source, "@" .. chunkName)
  if not chunk then
    return nil, "does not compile: " .. loadErr
  end
  setfenv(chunk, sandbox(obj))
  -- No string library in Argo CD means no string methods either ("x"):sub(1) fails there.
  local stringMeta = getmetatable("")
  local stringIndex = stringMeta.__index
  stringMeta.__index = function(_, name)
    error("string method '" .. tostring(name) .. "' is not available in Argo CD (no string library)", 2)
  end
  local okRun, result = pcall(chunk)
  stringMeta.__index = stringIndex
  if not okRun then
    return nil, "raised an error: " .. tostring(result)
  end
  if type(result) ~= "table" then
    return nil, "returned " .. type(result) .. ", Argo CD expects a table"
  end
  if not VALID[result.status] then
    return nil, "returned status " .. tostring(result.status)
      .. ", which Argo CD turns into Unknown (\"Lua returned an invalid health status\")"
  end
  if result.message ~= nil and type(result.message) ~= "string" then
    return nil, "returned a " .. type(result.message) .. " message, Argo CD expects a string"
  end
  return result.status, result.message or ""
end

local function listFiles(command)
  local out = run(command)
  local files = {}
  for line in out:gmatch("[^\n]+") do
    files[#files + 1] = line
  end
  table.sort(files)
  return files
end

-- 1. health_test.yaml suites
local suites = listFiles("find " .. shellQuote(root) .. " -name health_test.yaml")
if #suites == 0 then
  fail("suites", "no health_test.yaml under " .. root)
end

for _, testFile in ipairs(suites) do
  local dir = dirname(testFile)
  local kind = dir:sub(#root + 2)
  local source = readFile(dir .. "/health.lua")
  if not source then
    fail(kind, "no health.lua next to " .. testFile)
  else
    local loaded, err = loadYamlFiles({ testFile })
    local tests = loaded and loaded[testFile] and loaded[testFile].tests
    if not tests then
      fail(kind, "cannot read " .. testFile .. ": " .. tostring(err))
    else
      local inputs, referenced = {}, {}
      for _, t in ipairs(tests) do
        inputs[#inputs + 1] = dir .. "/" .. t.inputPath
        referenced[dir .. "/" .. t.inputPath] = true
      end
      local objects, loadErr = loadYamlFiles(inputs)
      if not objects then
        fail(kind, loadErr)
      else
        for _, t in ipairs(tests) do
          local name = kind .. " " .. t.inputPath
          local path = dir .. "/" .. t.inputPath
          local obj = objects[path]
          local want = t.healthStatus or {}
          if obj == nil or obj == cjson.null then
            fail(name, "cannot read the input object")
          elseif obj.__error__ then
            fail(name, obj.__error__)
          else
            local status, message = evaluate(source, dir .. "/health.lua", denull(obj))
            local wantMessage = want.message
            if wantMessage == nil or wantMessage == cjson.null then
              wantMessage = ""
            end
            if status == nil then
              fail(name, "health.lua " .. message)
            elseif status ~= want.status or message ~= wantMessage then
              fail(name, "expected " .. tostring(want.status) .. " \"" .. tostring(wantMessage)
                .. "\", got " .. status .. " \"" .. message .. "\"")
            else
              ok(name .. " -> " .. status)
            end
          end
        end
      end
      -- Every fixture is a test case: an unreferenced one is a forgotten assertion.
      for _, fixture in ipairs(listFiles("find " .. shellQuote(dir .. "/testdata") .. " -name '*.yaml'")) do
        if not referenced[fixture] then
          fail(kind .. " " .. fixture:sub(#dir + 2), "not listed in health_test.yaml")
        end
      end
    end
  end
end

-- 2. argocd-cm.yaml is exactly what render-argocd-cm.sh renders (no drift), and its data
--    values are the scripts byte for byte.
local cmPath = here .. "/argocd-cm.yaml"
local committed = readFile(cmPath)
local rendered = run("bash " .. shellQuote(here .. "/render-argocd-cm.sh") .. " --stdout")
if committed == nil then
  fail("argocd-cm.yaml", "missing; run gitops/argocd/render-argocd-cm.sh")
elseif committed ~= rendered then
  fail("argocd-cm.yaml", "out of date with the health.lua files; run gitops/argocd/render-argocd-cm.sh")
else
  ok("argocd-cm.yaml matches render-argocd-cm.sh")
end
local cm, cmErr = loadYamlFiles({ cmPath })
local data = cm and cm[cmPath] and cm[cmPath].data
if not data then
  fail("argocd-cm.yaml data", "cannot read: " .. tostring(cmErr))
else
  for _, testFile in ipairs(suites) do
    local dir = dirname(testFile)
    local group, kind = dir:match("([^/]+)/([^/]+)$")
    local key = "resource.customizations.health." .. group .. "_" .. kind
    if data[key] == nil then
      fail("argocd-cm.yaml " .. key, "missing")
    elseif data[key] ~= readFile(dir .. "/health.lua") then
      fail("argocd-cm.yaml " .. key, "differs from " .. dir .. "/health.lua")
    else
      ok("argocd-cm.yaml " .. key .. " == health.lua")
    end
  end
end

print(passed .. " passed, " .. failed .. " failed")
os.exit(failed == 0 and 0 or 1)
