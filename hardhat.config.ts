import { createRequire } from "node:module";
import { configVariable, defineConfig } from "hardhat/config";
import hardhatToolboxMochaEthers from "@nomicfoundation/hardhat-toolbox-mocha-ethers";

const require = createRequire(import.meta.url);

/** solc from npm (no download): 0.8.28 for our contracts. */
const solc = {
  version: "0.8.28",
  path: require.resolve("solc/soljson.js"),
  settings: { optimizer: { enabled: true, runs: 200 }, evmVersion: "cancun" },
};
/** solc 0.8.19 (npm alias `solc-0.8.19`) for Morpho Blue, which pins `pragma solidity 0.8.19`. */
const solcMorpho = {
  version: "0.8.19",
  path: require.resolve("solc-0.8.19/soljson.js"),
  settings: { optimizer: { enabled: true, runs: 999999 }, evmVersion: "paris" },
};

export default defineConfig({
  plugins: [hardhatToolboxMochaEthers],
  solidity: {
    compilers: [solc, solcMorpho],
    /** Morpho Blue is compiled from its npm package, unmodified, so tests deploy the real market. */
    npmFilesToBuild: ["@morpho-org/morpho-blue/src/Morpho.sol", "@morpho-org/morpho-blue/src/mocks/IrmMock.sol"],
  },
  networks: {
    /** `hardhat node` takes its settings from this network; always bind 127.0.0.1. The replay (`npm start`) sets
     *  HARDHAT_NODE_INITIAL_DATE (ISO date) so the chain's clock starts on the first replayed day. */
    node: {
      type: "edr-simulated",
      chainType: "l1",
      allowUnlimitedContractSize: false,
      initialDate: process.env.HARDHAT_NODE_INITIAL_DATE,
      // with automine off (the replay's `inOneBlock`), a block holds its transactions in the order they were sent,
      // and a day's worth of them at the replay's explicit 8M gas limit each (125; the default 60M fits 7)
      mining: { mempool: { order: "fifo" } },
      blockGasLimit: 1_000_000_000,
    },
    localhost: { type: "http", chainType: "l1", url: process.env.RPC_URL ?? "http://127.0.0.1:8545" },
    /**
     * Example public network for the Ignition modules (`ignition/modules/`): URL and deployer key come from the
     * keystore (`npx hardhat keystore set SEPOLIA_RPC_URL`, `… SEPOLIA_PRIVATE_KEY`) or the environment, and are
     * only read when this network is used:
     *   npx hardhat ignition deploy ignition/modules/Handover.ts --network sepolia \
     *     --parameters ignition/parameters/sepolia.example.json
     */
    sepolia: {
      type: "http",
      chainType: "l1",
      url: configVariable("SEPOLIA_RPC_URL"),
      accounts: [configVariable("SEPOLIA_PRIVATE_KEY")],
    },
  },
  /** Hardhat 3 reads mocha options from `test.mocha` (a top-level `mocha` key is ignored: default 40 s). */
  test: { mocha: { timeout: 600_000 } },
});
