# An unmodified discord.py bot for the browser test (BrowserDiscordPyTest): it syncs a guild slash command /hello
# and answers it; the web client's user invokes it through the "/" picker (Playwright drives the clicks).
# Usage: python3 web_bot.py PORT TOKEN GUILD_ID. Prints "OK synced" once the command is registered and
# "OK callback <username>" each time the @app_commands.command callback runs; runs until killed (or 240 s).
import asyncio
import sys

import aiohttp
import discord
import discord.gateway
import discord.http
import yarl
from discord import app_commands

PORT, TOKEN, GUILD = int(sys.argv[1]), sys.argv[2], int(sys.argv[3])
BASE = f'http://127.0.0.1:{PORT}/api/v10'


async def main():
    async with aiohttp.ClientSession() as http:
        async with http.get(BASE + '/gateway/bot', headers={'authorization': f'Bot {TOKEN}'}) as res:
            gateway = (await res.json())['url']
    discord.http.Route.BASE = BASE
    discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY = yarl.URL(gateway)
    intents = discord.Intents.none()
    intents.guilds = True
    client = discord.Client(intents=intents)
    tree = app_commands.CommandTree(client)
    here = discord.Object(id=GUILD)

    @tree.command(name='hello', description='Says hello', guild=here)
    @app_commands.describe(mood='how are you')
    async def hello(interaction: discord.Interaction, mood: str):
        print(f'OK callback {interaction.user.name}', flush=True)
        await interaction.response.send_message(f'hello, {interaction.user.name}, glad you are {mood}')

    @client.event
    async def on_ready():
        await tree.sync(guild=here)
        print('OK synced', flush=True)

    await asyncio.wait_for(client.start(TOKEN), 240)


if __name__ == '__main__':
    try:
        asyncio.run(main())
    except asyncio.TimeoutError:
        pass
