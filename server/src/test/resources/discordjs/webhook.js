// discord.js WebhookClient against a Pinwheel node. Usage: node webhook.js PORT WEBHOOK_ID WEBHOOK_TOKEN
// Prints "SENT <message id> <webhook_id> <author username>".
const { WebhookClient } = require('discord.js');

const [port, id, token] = process.argv.slice(2);
(async () => {
  const hook = new WebhookClient({ id, token }, { rest: { api: `http://127.0.0.1:${port}/api` } });
  const msg = await hook.send({ content: 'built by CI', username: 'CI' });
  console.log(`SENT ${msg.id} ${msg.webhook_id ?? msg.webhookId} ${msg.author.username}`);
  hook.destroy();
  process.exit(0);
})().catch((e) => { console.error(`FAIL ${e.stack || e}`); process.exit(1); });
