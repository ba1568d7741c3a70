-- wrk script: requests the paths listed in a file (one per line) in turn, each wrk thread
-- starting at a different place, so that pages kept by the server are mostly not yet kept.
-- Usage: wrk ... -s bench/rotate.lua http://host:port -- paths.txt
local threads = 0
local paths = {}
local i = 0

function setup(thread)
  threads = threads + 1
  thread:set("id", threads)
end

function init(args)
  for line in io.lines(args[1]) do
    if #line > 0 then paths[#paths + 1] = line end
  end
  i = (id * math.floor(#paths / 2)) % #paths
end

function request()
  i = i % #paths + 1
  return wrk.format(nil, paths[i])
end
