// Starts the real conveyor binary on 127.0.0.1 port 0 with a fresh data
// directory; resolves once the start-up log line names the bound port.
const { spawn } = require('node:child_process')
const fs = require('node:fs')
const os = require('node:os')
const path = require('node:path')

const STARTED = /started: .* listeners=PLAINTEXT:\/\/127\.0\.0\.1:(\d+)/

async function startBroker (...overrides) {
  const bin = process.env.CONVEYOR_BIN
  if (!bin) throw new Error('CONVEYOR_BIN must point at the conveyor binary')
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'conveyor-node-'))
  const args = ['--set', 'listeners=PLAINTEXT://127.0.0.1:0', '--set', `log.dirs=${dataDir}`]
  for (const o of overrides) args.push('--set', o)
  const child = spawn(bin, args, { stdio: ['ignore', 'ignore', 'pipe'] })
  const port = await new Promise((resolve, reject) => {
    let log = ''
    child.stderr.on('data', chunk => {
      log += chunk
      const match = STARTED.exec(log)
      if (match) resolve(Number(match[1]))
    })
    child.on('exit', code => reject(new Error(`broker exited (${code}) during start-up:\n${log}`)))
  })
  return {
    bootstrap: `127.0.0.1:${port}`,
    async stop () {
      const exited = new Promise(resolve => child.on('exit', resolve))
      child.kill('SIGTERM')
      const code = await exited
      fs.rmSync(dataDir, { recursive: true, force: true })
      return code
    }
  }
}

module.exports = { startBroker }
