// The baseline of every ratio: Express 5 answering a small JSON document, nothing else.
import express from 'express';

const app = express();
app.get('/hello', (_req, res) => void res.json({ hello: 'world', items: [1, 2, 3] }));
const server = app.listen(Number(process.env.PORT ?? 0), () => {
  const address = server.address();
  process.stdout.write(`listening ${typeof address === 'object' && address ? address.port : ''}\n`);
});
