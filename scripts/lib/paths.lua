-- wrk script: each request takes the next address from a file (one per line), the two threads interleaved, so a
-- run walks many different pages as a crawler would instead of asking for one page again and again.
--   wrk -t2 -c64 -d5s -s scripts/lib/paths.lua http://127.0.0.1:18110 -- FILE
local threads = 0

function setup(thread)
  thread:set("offset", threads)
  threads = threads + 1
end

function init(args)
  paths = {}
  for line in io.lines(args[1]) do
    if #line > 0 then paths[#paths + 1] = line end
  end
  step = offset
end

function request()
  local path = paths[step % #paths + 1]
  step = step + 2
  return wrk.format("GET", path)
end
