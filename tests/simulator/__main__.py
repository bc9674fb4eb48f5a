"""python -m tests.simulator [--host H] [--port P]: run the simulator in the foreground."""

import argparse
import os
import sys

from .server import SimulatorServer


def main():
    parser = argparse.ArgumentParser(description='PagerDuty API simulator')
    parser.add_argument('--host', default=os.environ.get('SIM_HOST', '127.0.0.1'))
    parser.add_argument('--port', type=int, default=int(os.environ.get('SIM_PORT', '8080')))
    args = parser.parse_args()
    server = SimulatorServer(args.host, args.port)
    print('PagerDuty simulator listening on %s (health: %s/_sim/health)' % (server.url, server.url), flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.httpd.server_close()
    return 0


if __name__ == '__main__':
    sys.exit(main())
