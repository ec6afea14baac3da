const http = require("node:http");

const products = [{ id: "p-1", name: "Espresso cup" }];

http
  .createServer((req, res) => {
    if (req.url === "/healthz") return res.end("ok\n");
    res.setHeader("content-type", "application/json");
    res.end(JSON.stringify(products));
  })
  .listen(Number(process.env.PORT ?? 8080));
