/**
 * A runnable integrator example (docs/integrators.md): `hardhat run scripts/example-integrator.ts`.
 * On Hardhat's in-process chain it deploys the local system (mocks + Ignition, as `deploy:local`
 * does), then uses only the SDK client (`sdk/clients.ts`) as an app would: two traders deposit USDC,
 * sign AAPL orders, the matcher settles them, each reads its position and health, and one withdraws
 * gaslessly with a signature that a relayer submits. The market is traded on a weekend (CLOSED), so
 * no oracle keeper is needed. Exercised by `test/sdk/clients.test.ts`.
 */
import { network } from "hardhat";
import { loadDeploymentConfig, parametersFile } from "../deploy/config.js";
import { deployLocalMocks, deploySystem } from "../deploy/system.js";
import { Session, loadCalendarFile } from "../sdk/calendar.js";
import { connectSundial } from "../sdk/clients.js";
import { accountId } from "../sdk/orders.js";
import { MockUSDC__factory } from "../typechain-types/index.js";

const X18 = 10n ** 18n;
const USDC = 10n ** 6n;
const usd = (x18: bigint): string => (Number(x18 / 10n ** 14n) / 10_000).toFixed(2);

const connection = await network.create();
const { ethers, networkHelpers } = connection;
const [deployer, , , matcher, , , alice, bob, relayer] = await ethers.getSigners();
if (
  deployer === undefined ||
  matcher === undefined ||
  alice === undefined ||
  bob === undefined ||
  relayer === undefined
) {
  throw new Error("the in-process chain has too few accounts");
}

// Move to the next Saturday noon UTC, when US equities are CLOSED and Sundial prices from its anchor.
const calendar = await loadCalendarFile();
let saturday = (Math.floor((await networkHelpers.time.latest()) / 86_400) + 1) * 86_400 + 12 * 3_600;
while (new Date(saturday * 1000).getUTCDay() !== 6) saturday += 86_400;
await networkHelpers.time.increaseTo(saturday);
if (calendar.sessionAt(saturday) !== Session.CLOSED) throw new Error("expected a closed market");

const config = loadDeploymentConfig(parametersFile("local"));
const mocks = await deployLocalMocks(connection, config, deployer.address);
const deployment = await deploySystem(connection, config, mocks);
console.log(`deployed Sundial: clearinghouse ${deployment.contracts.clearinghouse}`);

// ---------------------------------------------------------------- the integrator's code
const sundial = connectSundial(deployment, ethers.provider);
const usdc = MockUSDC__factory.connect(deployment.contracts.collateralToken, deployer);
for (const trader of [alice, bob]) {
  await usdc.mint(trader.address, 20_000n * USDC);
  await sundial.deposit(trader, 0n, 20_000n * USDC);
}
console.log(`deposited: alice ${usd(await sundial.vault.collateralX18(accountId(alice.address, 0n)))} USD`);

const aapl = sundial.marketId("AAPL");
const mark = (await sundial.oracle.priceState(aapl)).markPriceX18;
const expiry = BigInt(await networkHelpers.time.latest()) + 600n;
const common = {
  subaccount: 0n,
  market: "AAPL",
  sizeX18: 20n * X18,
  limitPriceX18: mark,
  expiry,
  nonce: 1n,
  flags: 0,
};
const ask = await sundial.signedOrder(alice, { ...common, owner: alice.address, isBuy: false });
const bid = await sundial.signedOrder(bob, { ...common, owner: bob.address, isBuy: true });
await (
  await sundial.clearinghouse.connect(matcher).settleMatches([
    {
      maker: ask.order,
      makerSignature: ask.signature,
      taker: bid.order,
      takerSignature: bid.signature,
      fillSizeX18: 20n * X18,
    },
  ])
).wait();

for (const [name, trader] of [
  ["alice", alice],
  ["bob", bob],
] as const) {
  const [position] = await sundial.positions(trader.address);
  const health = await sundial.accountHealth(trader.address);
  console.log(
    `${name}: position ${Number(position!.sizeX18) / 1e18} AAPL at ${usd(mark)}, equity ${usd(health.equityX18)}, ` +
      `initial margin ${usd(health.initialMarginX18)}, withdrawable ${usd(health.withdrawableX18)}, ` +
      `liquidatable ${health.liquidatable}`,
  );
}

// Bob withdraws 1,000 USDC without gas: he signs, a relayer submits.
const before = await usdc.balanceOf(bob.address);
const request = {
  owner: bob.address,
  subaccount: 0n,
  amount: 1_000n * USDC,
  to: bob.address,
  nonce: 1n,
  deadline: BigInt(await networkHelpers.time.latest()) + 3_600n,
};
const signature = await sundial.signWithdrawal(bob, request);
await sundial.connect(relayer).relayWithdrawal(request, signature);
console.log(`bob withdrew ${(await usdc.balanceOf(bob.address)) - before} token units via a relayer`);
