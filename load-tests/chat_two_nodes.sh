#!/usr/bin/env bash
# (c) 1:1 chat across two nodes through Redis (issue 3): customers on node a, radar users on node
# b, one Redis, one channel prefix, one database. Same driver as (b); see chat_one_node.sh.
#
#   load-tests/chat_two_nodes.sh                      # 1000 pairs, 10,000 msg/s offered, 60 s
#   PAIRS=1000 RATE=10000 DURATION=60 WORKERS=1 POOL=16 load-tests/chat_two_nodes.sh
export NODES=2 SCENARIO=chat-two-nodes
export RATE=${RATE:-10000} DURATION=${DURATION:-60}
exec "$(dirname "${BASH_SOURCE[0]}")/chat_one_node.sh" "$@"
