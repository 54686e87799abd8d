-- wrk script: durable comment posts, each with a unique key.
--
--   wrk ... -s bench/post.lua http://127.0.0.1:PORT/articles/SLUG/comments \
--       -- COOKIE CSRF RUN_ID PARENT_IDS RESULT_FILE [REPLY_EVERY]
--
-- COOKIE is the parley_v value and CSRF its form token; RUN_ID makes the
-- keys unique across runs; PARENT_IDS is a comma-separated list of
-- existing comments of that article: every REPLY_EVERY-th post (default
-- 3; 1: all of them, 0: none) replies to one of them, the others are
-- top-level.  Bodies are 200-800 characters of Markdown.  Counts the 303 answers (a 303 means the comment's commit
-- reached the disk) and everything else, and writes "acked other" to
-- RESULT_FILE for run.sh to check against the database.

local threads = {}

function setup(thread)
	thread:set("tid", #threads + 1)
	table.insert(threads, thread)
end

local words = {
	"the", "policy", "argument", "evidence", "cost", "benefit", "voters",
	"council", "budget", "housing", "transit", "climate", "treaty",
	"inflation", "wages", "schools", "hospital", "survey", "trend",
	"precedent", "court", "ruling", "motion", "debate", "rebuttal",
	"claim", "source", "report", "analysis", "risk", "market", "energy",
	"grid", "water", "reform", "pension", "election", "amendment", "vote",
}

local function urlencode(s)
	return (s:gsub("[^%w%-%._~]", function(c)
		return string.format("%%%02X", string.byte(c))
	end))
end

local function sentence()
	local n = 6 + math.random(0, 11)
	local w = {}
	for i = 1, n do
		local x = words[math.random(#words)]
		local r = math.random()
		if r < 0.05 then x = "**" .. x .. "**"
		elseif r < 0.10 then x = "*" .. x .. "*"
		elseif r < 0.12 then x = "[" .. x .. "](https://example.org/" .. x .. ")"
		end
		w[#w + 1] = x
	end
	local s = table.concat(w, " ")
	return s:sub(1, 1):upper() .. s:sub(2) .. "."
end

local function body()
	local want = 200 + math.random(0, 600)
	local out, para = {}, {}
	local len = 0
	while len < want do
		local s = sentence()
		para[#para + 1] = s
		len = len + #s + 1
		if math.random() < 0.3 then
			out[#out + 1] = table.concat(para, " ")
			para = {}
		end
	end
	if #para > 0 then out[#out + 1] = table.concat(para, " ") end
	local text = table.concat(out, "\n\n")
	if #text > 800 then text = text:sub(1, 800) end
	return text
end

local bodies = {}
local counter = 0
local parents = {}

function init(args)
	cookie, csrf, run_id, result_file = args[1], args[2], args[3], args[5]
	for p in string.gmatch(args[4] or "", "%d+") do
		parents[#parents + 1] = p
	end
	reply_every = tonumber(args[6] or "3")
	math.randomseed(tid * 7919)
	for i = 1, 64 do
		bodies[i] = urlencode(body())
	end
	acked, other = 0, 0
	wrk.method = "POST"
	wrk.headers["Content-Type"] = "application/x-www-form-urlencoded"
	wrk.headers["Cookie"] = "parley_v=" .. cookie
	prefix = "csrf=" .. urlencode(csrf) .. "&author=Bench&email=bench%40example.org"
end

function request()
	counter = counter + 1
	local parent = ""
	if #parents > 0 and reply_every > 0 and counter % reply_every == 0 then
		parent = parents[math.floor(counter / reply_every) % #parents + 1]
	end
	local form = prefix .. "&key=" .. run_id .. "-" .. tid .. "-" .. counter
		.. "&parent=" .. parent .. "&body=" .. bodies[counter % #bodies + 1]
	return wrk.format(nil, nil, nil, form)
end

function response(status, headers, body)
	if status == 303 then
		acked = acked + 1
	else
		other = other + 1
		if other <= 3 then
			io.stderr:write("post.lua: answer " .. status .. "\n")
		end
	end
end

function done(summary, latency, requests)
	local a, o = 0, 0
	for _, t in ipairs(threads) do
		a = a + t:get("acked")
		o = o + t:get("other")
	end
	local f = io.open(threads[1]:get("result_file"), "w")
	f:write(a .. " " .. o .. "\n")
	f:close()
end
