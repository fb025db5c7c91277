"""The local AWS emulator: a moto server on 127.0.0.1, started and stopped by the runner."""
import os
import socket
import subprocess
import sys
import time
import urllib.request
from typing import Optional

ACCOUNT = '111111111111'
REGION = 'us-east-1'


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(('127.0.0.1', 0))
        return s.getsockname()[1]


class Moto:
    """`with Moto(log) as moto:` a moto server for the block, at moto.endpoint; stopped after it."""

    def __init__(self, log_path: str, startup_seconds: float = 30):
        self.log_path = log_path
        self.startup_seconds = startup_seconds
        self.port = free_port()
        self.endpoint = f'http://127.0.0.1:{self.port}'
        self.proc: Optional[subprocess.Popen] = None

    def __enter__(self) -> 'Moto':
        server = os.path.join(os.path.dirname(sys.executable), 'moto_server')
        env = dict(os.environ, MOTO_ACCOUNT_ID=ACCOUNT)
        self._log = open(self.log_path, 'w', encoding='utf-8')
        self.proc = subprocess.Popen([server, '-H', '127.0.0.1', '-p', str(self.port)], env=env,
                                     stdout=self._log, stderr=subprocess.STDOUT)
        deadline = time.time() + self.startup_seconds
        while time.time() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f'moto server exited with {self.proc.returncode}; see {self.log_path}')
            try:
                urllib.request.urlopen(f'{self.endpoint}/moto-api/', timeout=2).read(1)
                return self
            except OSError:
                time.sleep(0.2)
        self.__exit__(None, None, None)
        raise RuntimeError(f'moto server did not answer within {self.startup_seconds} s')

    def __exit__(self, *exc) -> None:
        if self.proc and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(timeout=10)
        self._log.close()

    def client(self, service: str):
        """An unrestricted client (the emulator's own setup, not a pipeline role)."""
        import boto3
        return boto3.client(service, endpoint_url=self.endpoint, region_name=REGION,
                            aws_access_key_id='testing', aws_secret_access_key='testing')
