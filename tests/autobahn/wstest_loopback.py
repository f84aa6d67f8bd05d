# Runs Autobahn|Testsuite's wstest with every listening socket bound to 127.0.0.1 (wstest's
# fuzzingserver otherwise listens on all interfaces). Python 2.7, started by run.sh with the
# private interpreter that scripts/setup/autobahn.sh installs:
#   python2.7 -s wstest_loopback.py <site dir> <wstest args...>
import site
import sys

site.addsitedir(sys.argv[1])
sys.argv = ["wstest"] + sys.argv[2:]

from twisted.internet import reactor

_listen_tcp = reactor.listenTCP


def _loopback_listen_tcp(port, factory, backlog=50, interface=""):
    return _listen_tcp(port, factory, backlog, interface or "127.0.0.1")


reactor.listenTCP = _loopback_listen_tcp

from autobahntestsuite.wstest import run

run()
