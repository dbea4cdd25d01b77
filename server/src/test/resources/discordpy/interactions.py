# Slash commands end to end with unmodified discord.py (Debian's python3-discord): a bot registers guild commands
# with a CommandTree, a person invokes them the way Discord's own client does (REST POST /interactions with a user
# token), the @app_commands.command callbacks run and answer; an ephemeral answer reaches only the invoker.
# Usage: python3 interactions.py PORT
# Prints one "OK <step>" line per passed step; exits non-zero with "FAIL <why>" on the first failure.
# Like smoke.py, two class attributes point the library at Pinwheel (discord.http.Route.BASE, DEFAULT_GATEWAY).
import asyncio
import logging
import os
import sys

import aiohttp
import discord
import discord.gateway
import discord.http
import yarl
from discord import app_commands

from harness import BASE, WAIT, Fail, await_ready, client, launch, rest, step, within


def invocation(app_id, guild_id, channel_id, command, options, nonce):
    """The body Discord's client sends when a person runs a slash command."""
    return {'type': 2, 'application_id': str(app_id), 'guild_id': str(guild_id), 'channel_id': str(channel_id),
            'session_id': 'web', 'nonce': nonce,
            'data': {'version': str(command.version) if hasattr(command, 'version') else None, 'id': str(command.id),
                     'name': command.name, 'type': 1, 'options': options}}


async def main():
    async with aiohttp.ClientSession() as http:
        bot = await rest(http, 'POST', '/auth/register', body={'username': 'dpi_bot', 'password': 'password-b',
                                                               'bot': True})
        person = await rest(http, 'POST', '/auth/register', body={'username': 'dpi_person',
                                                                  'password': 'password-p', 'bot': False})
        carol = await rest(http, 'POST', '/auth/register', body={'username': 'dpi_carol',
                                                                 'password': 'password-c', 'bot': False})
        guild = await rest(http, 'POST', '/guilds', person['token'], {'name': 'interactions guild'})
        guild_id = int(guild['id'])
        channel_id = int(guild['channels'][0]['id'])
        invite = await rest(http, 'POST', f'/channels/{channel_id}/invites', person['token'], {})
        await rest(http, 'POST', f"/invites/{invite['code']}", bot['token'], {})
        await rest(http, 'POST', f"/invites/{invite['code']}", carol['token'], {})
        gateway = await rest(http, 'GET', '/gateway/bot', bot['token'])

        discord.http.Route.BASE = BASE
        discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY = yarl.URL(gateway['url'])

        cb, cp, cc = client(), client(), client()
        tree = app_commands.CommandTree(cb)
        here = discord.Object(id=guild_id)
        ran = asyncio.get_running_loop().create_future()

        @tree.command(name='greet', description='Greets someone', guild=here)
        @app_commands.describe(who='whom to greet')
        async def greet(interaction: discord.Interaction, who: discord.Member):
            if not ran.done():
                ran.set_result((interaction.user.id, who.id, interaction.guild_id))
            await interaction.response.send_message(f'hello {who.name}')

        @tree.command(name='secret', description='Tells only you', guild=here)
        async def secret(interaction: discord.Interaction):
            await interaction.response.send_message('only you', ephemeral=True)

        carol_saw = []

        @cc.event
        async def on_message(m):
            carol_saw.append(m.content)

        tasks = []
        try:
            for c, token, name in ((cb, bot['token'], 'bot'), (cp, person['token'], 'person'),
                                   (cc, carol['token'], 'carol')):
                t, r = launch(c, token, name)
                tasks.append((t, r, name))
            await asyncio.gather(*(await_ready(t, r, n) for t, r, n in tasks))
            synced = {c.name: c for c in await within('tree.sync', tree.sync(guild=here))}
            if sorted(synced) != ['greet', 'secret']:
                raise Fail(f'sync {synced!r}')
            step('sync')

            seen_by_carol = cc.wait_for('message', check=lambda m: m.content == 'hello dpi_carol', timeout=WAIT)
            seen_by_person = cp.wait_for('message', check=lambda m: m.content == 'hello dpi_carol', timeout=WAIT)
            await rest(http, 'POST', '/interactions', person['token'], bot=False, body=invocation(
                bot['user']['id'], guild_id, channel_id, synced['greet'],
                [{'name': 'who', 'type': 6, 'value': carol['user']['id']}], 'greet-1'))
            invoker, target, in_guild = await within('the greet callback ran', ran)
            if (invoker, target, in_guild) != (int(person['user']['id']), int(carol['user']['id']), guild_id):
                raise Fail(f'callback saw {invoker}, {target}, {in_guild}')
            got = await within('the response at carol', seen_by_carol)
            await within('the response at the person', seen_by_person)
            if got.type != discord.MessageType.chat_input_command or got.author.id != int(bot['user']['id']):
                raise Fail(f'response {got.type!r} by {got.author.id}')
            if got.interaction is None or got.interaction.name != 'greet' \
                    or got.interaction.user.id != int(person['user']['id']):
                raise Fail(f'response interaction {got.interaction!r}')
            step('invoke')

            private = cp.wait_for('message', check=lambda m: m.content == 'only you', timeout=WAIT)
            await rest(http, 'POST', '/interactions', person['token'], bot=False, body=invocation(
                bot['user']['id'], guild_id, channel_id, synced['secret'], [], 'secret-1'))
            eph = await within('the ephemeral reply at the invoker', private)
            if not eph.flags.ephemeral:
                raise Fail(f'flags {eph.flags!r}')
            marker = cc.wait_for('message', check=lambda m: m.content == 'marker', timeout=WAIT)
            await rest(http, 'POST', f'/channels/{channel_id}/messages', bot['token'], {'content': 'marker'})
            await within('marker at carol', marker)
            if 'only you' in carol_saw:
                raise Fail(f'carol saw the ephemeral reply: {carol_saw!r}')
            history = await rest(http, 'GET', f'/channels/{channel_id}/messages', carol['token'])
            if any(m['content'] == 'only you' for m in history):
                raise Fail('the ephemeral reply is in history')
            step('ephemeral')
        finally:
            for c in (cb, cp, cc):
                await asyncio.wait_for(c.close(), WAIT)
            for t, _, _ in tasks:
                t.cancel()
            await asyncio.gather(*(t for t, _, _ in tasks), return_exceptions=True)


if __name__ == '__main__':
    logging.basicConfig(level=os.environ.get('PINWHEEL_LOG', 'WARNING'), stream=sys.stdout,
                        format='%(levelname)s %(name)s: %(message)s')
    print(f'discord.py {discord.__version__}', flush=True)
    try:
        asyncio.run(asyncio.wait_for(main(), 100))
    except Fail as e:
        print(f'FAIL {e}', flush=True)
        sys.exit(1)
    except BaseException as e:  # noqa: B902 - anything else is a failure too, with its trace
        import traceback
        traceback.print_exc(file=sys.stdout)
        print(f'FAIL {e!r}', flush=True)
        sys.exit(1)
    sys.exit(0)
