"""The local AWS emulator: a moto server on 127.0.0.1, started and stopped by the runner.

One server serves every account and region of an app (moto's "Multi-account support"): a request
is in the account of its credentials, and the runner's credentials are those STS AssumeRole gives
for the calling role's ARN (moto issues them in the role's account), so a call made as a role of
account 222222222222 creates and finds resources in that account; the region is the endpoint's
(the client's region). The server is started without MOTO_ACCOUNT_ID, which would pin every
request to one account.
"""
import os
import socket
import subprocess
import sys
import time
import urllib.request
from typing import Dict, Optional

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
        self._credentials: Dict[str, Dict[str, str]] = {}

    def __enter__(self) -> 'Moto':
        server = os.path.join(os.path.dirname(sys.executable), 'moto_server')
        env = {k: v for k, v in os.environ.items() if k != 'MOTO_ACCOUNT_ID'}
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

    def credentials(self, role_arn: str) -> Dict[str, str]:
        """Session credentials of a role, in the role's account (STS AssumeRole of the emulator)."""
        if role_arn not in self._credentials:
            import boto3
            sts = boto3.client('sts', endpoint_url=self.endpoint, region_name=REGION,
                               aws_access_key_id='testing', aws_secret_access_key='testing')
            c = sts.assume_role(RoleArn=role_arn, RoleSessionName='simulation')['Credentials']
            self._credentials[role_arn] = {'aws_access_key_id': c['AccessKeyId'], 'aws_secret_access_key': c['SecretAccessKey'],
                                           'aws_session_token': c['SessionToken']}
        return self._credentials[role_arn]

    def client(self, service: str, account: str = ACCOUNT, region: str = REGION):
        """An unrestricted client in an account and region (the emulator's own setup, not a pipeline role)."""
        import boto3
        return boto3.client(service, endpoint_url=self.endpoint, region_name=region,
                            **self.credentials(f'arn:aws:iam::{account}:role/simulation-emulator'))
