# Drives two unmodified discord.py clients (Debian's python3-discord) against a Pinwheel node.
# Usage: python3 smoke.py PORT
# Prints one "OK <step>" line per passed step; exits non-zero with "FAIL <why>" on the first failure.
#
# discord.py has no option for another host, so two class attributes are set at run time (the library
# itself is not changed): discord.http.Route.BASE (every REST route is BASE + path) and
# discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY (a non-sharded Client connects there first; later it
# resumes on READY's resume_gateway_url). The gateway URL is the one Pinwheel answers on GET /gateway/bot.
import asyncio
import logging
import os
import sys

import aiohttp
import discord
import discord.gateway
import discord.http
import yarl

from harness import BASE, WAIT, Fail, await_ready, client, launch, rest, step, within


async def main():
    async with aiohttp.ClientSession() as http:
        a = await rest(http, 'POST', '/auth/register', body={'username': 'dpy_a', 'password': 'password-a', 'bot': True})
        b = await rest(http, 'POST', '/auth/register', body={'username': 'dpy_b', 'password': 'password-b', 'bot': True})
        guild = await rest(http, 'POST', '/guilds', a['token'], {'name': 'discord.py guild'})
        guild_id = int(guild['id'])
        channel_id = int(guild['channels'][0]['id'])
        invite = await rest(http, 'POST', f'/channels/{channel_id}/invites', a['token'], {})
        await rest(http, 'POST', f"/invites/{invite['code']}", b['token'], {})
        gateway = await rest(http, 'GET', '/gateway/bot', a['token'])

    discord.http.Route.BASE = BASE
    discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY = yarl.URL(gateway['url'])

    ca = client()
    cb = client()
    tasks = []
    try:
        # discord.py dispatches on_ready once no GUILD_CREATE came for guild_ready_timeout (2 s): start both
        # clients at once.
        tb, rb = launch(cb, b['token'], 'b')
        ta, ra = launch(ca, a['token'], 'a')
        tasks += [tb, ta]
        await asyncio.gather(await_ready(tb, rb, 'b'), await_ready(ta, ra, 'a'))
        g = cb.get_guild(guild_id)
        if g is None or g.name != 'discord.py guild':
            raise Fail(f'guild not in cache after ready: {g!r}')
        if cb.get_channel(channel_id) is None:
            raise Fail('channel not in cache')
        if g.get_member(int(a['user']['id'])) is None:
            raise Fail(f'member a not in cache: {g.members!r}')
        step('ready')

        created = cb.wait_for('message', check=lambda m: m.channel.id == channel_id, timeout=WAIT)
        channel = await within('fetch_channel', ca.fetch_channel(channel_id))
        sent = await within('send', channel.send('hello from discord.py'))
        got = await within('MESSAGE_CREATE', created)
        if (got.content != 'hello from discord.py' or got.author.id != int(a['user']['id'])
                or got.guild is None or got.guild.id != guild_id):
            raise Fail(f'message mismatch: {got.content!r} by {got.author.id} in {got.guild!r}')
        step('message')

        updated = cb.wait_for('message_edit', check=lambda _before, after: after.id == sent.id, timeout=WAIT)
        await within('edit', sent.edit(content='edited by discord.py'))
        _before, after = await within('MESSAGE_UPDATE', updated)
        if after.content != 'edited by discord.py':
            raise Fail(f'edit: {after.content!r}')
        step('edit')

        deleted = cb.wait_for('message_delete', check=lambda m: m.id == sent.id, timeout=WAIT)
        await within('delete', sent.delete())
        await within('MESSAGE_DELETE', deleted)
        step('delete')

        for i in range(3):
            await within('send history', channel.send(f'history {i}'))
        mine = await within('fetch_channel b', cb.fetch_channel(channel_id))
        contents = await within('history', _history(mine))
        if contents != ['history 2', 'history 1', 'history 0']:
            raise Fail(f'history {contents!r}')
        step('history')

        # Beyond smoke.js: the member list through the gateway (op 8 -> GUILD_MEMBERS_CHUNK) and a purge
        # (bulk delete -> MESSAGE_DELETE_BULK), two things bots commonly do.
        members = await within('Guild.chunk', g.chunk())
        ids = sorted(m.id for m in members)
        if ids != sorted([int(a['user']['id']), int(b['user']['id'])]):
            raise Fail(f'chunk {ids!r}')
        queried = await within('Guild.query_members', g.query_members('dpy_a'))
        if [m.id for m in queried] != [int(a['user']['id'])]:
            raise Fail(f'query_members {queried!r}')
        step('members')

        bulk = cb.wait_for('raw_bulk_message_delete', check=lambda e: e.channel_id == channel_id, timeout=WAIT)
        purged = await within('purge', ca.get_channel(channel_id).purge(limit=10))
        event = await within('MESSAGE_DELETE_BULK', bulk)
        if sorted(m.id for m in purged) != sorted(event.message_ids) or len(purged) != 3:
            raise Fail(f'purge {purged!r} vs {event.message_ids!r}')
        if await within('history after purge', _history(mine)):
            raise Fail('messages left after purge')
        step('purge')

        # an embed, then a reply to it (discord.Embed, Message.reply): both arrive intact on the other client
        embedded = cb.wait_for('message', check=lambda m: m.channel.id == channel_id and m.embeds, timeout=WAIT)
        card = discord.Embed(title='Release', description='v1 is out', colour=0x2ECC71)
        card.add_field(name='size', value='42', inline=True)
        posted = await within('send embed', channel.send(embed=card))
        got = await within('MESSAGE_CREATE with embed', embedded)
        e = got.embeds[0]
        if (e.title, e.description, e.colour.value, e.fields[0].value) != ('Release', 'v1 is out', 0x2ECC71, '42'):
            raise Fail(f'embed {e.to_dict()!r}')
        replied = cb.wait_for('message', check=lambda m: m.channel.id == channel_id and m.reference, timeout=WAIT)
        await within('reply', posted.reply('answered'))
        r = await within('MESSAGE_CREATE reply', replied)
        if r.type != discord.MessageType.reply or r.reference.message_id != posted.id:
            raise Fail(f'reply {r.type!r} {r.reference!r}')
        step('embed')

        # a reaction (Message.add_reaction) reaches the other client and shows on a fresh fetch
        reacted = cb.wait_for('raw_reaction_add', check=lambda e: e.message_id == posted.id, timeout=WAIT)
        await within('add_reaction', posted.add_reaction('\N{THUMBS UP SIGN}'))
        ev = await within('MESSAGE_REACTION_ADD', reacted)
        fetched = await within('fetch_message', mine.fetch_message(posted.id))
        if (str(ev.emoji) != '\N{THUMBS UP SIGN}' or ev.user_id != int(a['user']['id'])
                or [(str(r.emoji), r.count) for r in fetched.reactions] != [('\N{THUMBS UP SIGN}', 1)]):
            raise Fail(f'reaction {ev!r} {fetched.reactions!r}')
        step('reaction')

        # application commands: what a bot does in setup_hook (CommandTree.sync)
        tree = discord.app_commands.CommandTree(ca)

        @tree.command(name='ping', description='Ping!')
        async def ping(interaction):
            await interaction.response.send_message('pong')

        synced = await within('tree.sync', tree.sync())
        if [c.name for c in synced] != ['ping'] or synced[0].id == 0:
            raise Fail(f'sync {synced!r}')
        fetched_cmds = await within('fetch_commands', tree.fetch_commands())
        if [c.id for c in fetched_cmds] != [synced[0].id]:
            raise Fail(f'fetch_commands {fetched_cmds!r}')
        step('commands')
    finally:
        for c in (ca, cb):
            await asyncio.wait_for(c.close(), WAIT)
        for t in tasks:
            t.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)


async def _history(channel):
    return [m.content async for m in channel.history(limit=10)]


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
