# What the discord.py scripts (smoke.py, interactions.py) share: the node's REST base from argv[1], one "OK <step>"
# line per passed step, a Fail that main() turns into "FAIL <why>", bounded waits, and unmodified clients started and
# awaited until READY.
import asyncio
import json
import sys

import discord

PORT = int(sys.argv[1])
BASE = f'http://127.0.0.1:{PORT}/api/v10'
WAIT = 20.0


def step(name):
    print(f'OK {name}', flush=True)


class Fail(Exception):
    """A failed step: main() prints FAIL and the script exits 1."""


async def rest(session, method, path, token=None, body=None, bot=True, expect=2):
    """One REST call; a status outside the expected class (2xx by default) fails the step."""
    headers = {'content-type': 'application/json'}
    if token:
        headers['authorization'] = f'Bot {token}' if bot else token
    async with session.request(method, BASE + path, headers=headers,
                               data=json.dumps(body) if body is not None else None) as res:
        text = await res.text()
        if res.status // 100 != expect:
            raise Fail(f'{method} {path} -> {res.status} {text}')
        return json.loads(text) if text else None


async def within(what, awaitable, timeout=WAIT):
    try:
        return await asyncio.wait_for(awaitable, timeout)
    except asyncio.TimeoutError:
        raise Fail(f'timed out: {what}') from None


def client():
    intents = discord.Intents.none()
    intents.guilds = True
    intents.guild_messages = True
    intents.message_content = True
    intents.members = True
    intents.guild_reactions = True
    return discord.Client(intents=intents)


def launch(c, token, name):
    """Starts a client; returns its task and a future that on_ready completes."""
    ready = asyncio.get_running_loop().create_future()

    @c.event
    async def on_ready():
        if not ready.done():
            ready.set_result(True)

    return asyncio.create_task(c.start(token), name=f'client {name}'), ready


async def await_ready(task, ready, name):
    """Waits for on_ready; a client that stops early (bad login, closed socket) fails at once."""
    done, _ = await asyncio.wait({task, ready}, timeout=WAIT, return_when=asyncio.FIRST_COMPLETED)
    if ready not in done:
        if task in done:
            raise Fail(f'client {name} stopped before READY: {task.exception()!r}')
        raise Fail(f'timed out: client {name} ready')
