import { expect } from "chai";
import { ZeroHash, type Signer } from "ethers";
import { network } from "hardhat";
import {
  DeploymentConfigError,
  REPLACE_ME,
  SESSIONS,
  dataStreamKindOf,
  loadDeploymentConfig,
  parametersFile,
  parseDeploymentConfig,
  replaceMePaths,
  resolveDeploymentConfig,
} from "../../deploy/config.js";
import { defaultCircuitBreakerParams, defaultOracleMarketParams } from "../../deploy/defaults.js";
import { ROLES } from "../../deploy/modules/roles.js";
import { dataStreamsSources, deployLocalMocks, deploySystem } from "../../deploy/system.js";
import { Session } from "../../sdk/calendar.js";
import { accountId, orderDomain, signOrder, type Order } from "../../sdk/orders.js";
import {
  ChainlinkDataStreamsSource__factory,
  ChainlinkFeedSource__factory,
  Clearinghouse__factory,
  CollateralVault__factory,
  InsuranceFund__factory,
  LiquidationEngine__factory,
  MarketCalendar__factory,
  MarketRegistry__factory,
  MockUSDC__factory,
  OracleAdapter__factory,
  OracleCorporateActions__factory,
  PythSource__factory,
  SequencerUptimeGuard__factory,
  SignedQuoteSource__factory,
  TimelockController__factory,
} from "../../typechain-types/index.js";
import { readFileSync } from "node:fs";

const connection = await network.create({ override: { initialDate: "2026-12-05T00:00:00Z" } }); // before SATURDAY, whatever today is
const { ethers, networkHelpers } = connection;

/** Saturday 5 December 2026, 10:00 New York: the market is CLOSED, priced from the listing anchor. */
const SATURDAY = Date.parse("2026-12-05T15:00:00Z") / 1000;
const X18 = 10n ** 18n;
const USDC = 10n ** 6n;
const ALL_ROLES = Object.values(ROLES);

/** The named fields of a struct result as a plain object (bigints), to compare with `expected`'s keys. */
function fields(result: object, expected: object): Record<string, unknown> {
  const record = result as Record<string, unknown>;
  return Object.fromEntries(Object.keys(expected).map((k) => [k, record[k]]));
}

function asBigInts(value: object): Record<string, bigint> {
  return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, BigInt(v as bigint | number)]));
}

async function deployLocalSystem() {
  await networkHelpers.time.increaseTo(SATURDAY);
  const config = loadDeploymentConfig(parametersFile("local"));
  const signers = await ethers.getSigners();
  const donSigner = signers[4]!.address;
  const mocks = await deployLocalMocks(connection, config, donSigner);
  const record = await deploySystem(connection, config, mocks);
  const deployer = signers[0]!;
  const c = record.contracts;
  return {
    config,
    record,
    signers,
    deployer,
    timelock: TimelockController__factory.connect(c.timelock, deployer),
    calendar: MarketCalendar__factory.connect(c.calendar, deployer),
    insuranceFund: InsuranceFund__factory.connect(c.insuranceFund, deployer),
    vault: CollateralVault__factory.connect(c.vault, deployer),
    usdc: MockUSDC__factory.connect(c.collateralToken, deployer),
    guard: SequencerUptimeGuard__factory.connect(c.sequencerGuard!, deployer),
    dataStreamsRegularHours: ChainlinkDataStreamsSource__factory.connect(c.dataStreamsRegularHours, deployer),
    dataStreamsExtendedHours: ChainlinkDataStreamsSource__factory.connect(
      c.dataStreamsExtendedHours,
      deployer,
    ),
    dataStreamsOvernightHours: ChainlinkDataStreamsSource__factory.connect(
      c.dataStreamsOvernightHours,
      deployer,
    ),
    feeds: ChainlinkFeedSource__factory.connect(c.chainlinkFeedSource, deployer),
    pyth: PythSource__factory.connect(c.pythSource, deployer),
    quotes: SignedQuoteSource__factory.connect(c.signedQuoteSource, deployer),
    adapter: OracleAdapter__factory.connect(c.oracleAdapter, deployer),
    corporateActions: OracleCorporateActions__factory.connect(c.corporateActions, deployer),
    registry: MarketRegistry__factory.connect(c.marketRegistry, deployer),
    clearinghouse: Clearinghouse__factory.connect(c.clearinghouse, deployer),
    liquidationEngine: LiquidationEngine__factory.connect(c.liquidationEngine, deployer),
  };
}

type System = Awaited<ReturnType<typeof deployLocalSystem>>;

function accessControlled(s: System) {
  return {
    calendar: s.calendar,
    insuranceFund: s.insuranceFund,
    vault: s.vault,
    guard: s.guard,
    dataStreamsRegularHours: s.dataStreamsRegularHours,
    dataStreamsExtendedHours: s.dataStreamsExtendedHours,
    dataStreamsOvernightHours: s.dataStreamsOvernightHours,
    feeds: s.feeds,
    pyth: s.pyth,
    quotes: s.quotes,
    adapter: s.adapter,
    corporateActions: s.corporateActions,
    registry: s.registry,
    clearinghouse: s.clearinghouse,
    liquidationEngine: s.liquidationEngine,
    timelock: s.timelock,
  };
}

describe("deploy/modules: the whole system deployed with Ignition", function () {
  it("deploys every contract and wires them to each other", async function () {
    const s = await networkHelpers.loadFixture(deployLocalSystem);
    const c = s.record.contracts;
    expect(await s.vault.marginAuthority()).to.equal(c.clearinghouse);
    expect(await s.vault.token()).to.equal(c.collateralToken);
    expect(await s.vault.insuranceFund()).to.equal(c.insuranceFund);
    expect(await s.insuranceFund.vault()).to.equal(c.vault);
    expect(await s.clearinghouse.vault()).to.equal(c.vault);
    expect(await s.clearinghouse.oracle()).to.equal(c.oracleAdapter);
    expect(await s.clearinghouse.registry()).to.equal(c.marketRegistry);
    expect(await s.liquidationEngine.clearinghouse()).to.equal(c.clearinghouse);
    expect(await s.liquidationEngine.vault()).to.equal(c.vault);
    expect(await s.liquidationEngine.insuranceFund()).to.equal(c.insuranceFund);
    expect(await s.liquidationEngine.backstopAccount()).to.equal(accountId(c.insuranceFund, 0n));
    // The local file funds the backstop with 1,000,000 mock USDC so that liquidations can absorb.
    expect(await s.vault.collateralX18(accountId(c.insuranceFund, 0n))).to.equal(1_000_000n * X18);
    expect(await s.registry.oracle()).to.equal(c.oracleAdapter);
    expect(await s.adapter.calendar()).to.equal(c.calendar);
    expect(await s.adapter.sequencerGuard()).to.equal(c.sequencerGuard);
    expect(await s.adapter.corporateActions()).to.equal(c.corporateActions);
    expect(await s.corporateActions.adapter()).to.equal(c.oracleAdapter);
    expect(await s.guard.uptimeFeed()).to.equal(s.record.mocks!.sequencerUptimeFeed);
    const streamSources = Object.values(dataStreamsSources(c));
    expect(new Set(streamSources).size).to.equal(3); // one source per stream kind
    for (const source of [
      s.dataStreamsRegularHours,
      s.dataStreamsExtendedHours,
      s.dataStreamsOvernightHours,
    ]) {
      expect(streamSources).to.include(await source.getAddress());
      expect(await source.verifierProxy()).to.equal(s.record.mocks!.dataStreamsVerifierProxy);
      expect(await source.calendar()).to.equal(c.calendar);
    }
    expect(await s.pyth.pyth()).to.equal(s.record.mocks!.pyth);
    expect(await s.quotes.publishers()).to.deep.equal([4, 5, 8].map((i) => s.signers[i]!.address));
    expect(await s.timelock.getMinDelay()).to.equal(2n * 24n * 3600n);
  });

  it("lists the five markets in the oracle and the registry with their sources and parameters", async function () {
    const s = await networkHelpers.loadFixture(deployLocalSystem);
    // Ignition lists markets in parallel, so the registry's order is not the file's.
    expect([...(await s.registry.marketIds())]).to.have.members(s.config.markets.map((m) => m.marketId));
    const tiers = Object.fromEntries(s.config.markets.map((m) => [m.symbol, m.bandTierBps]));
    expect(tiers).to.deep.equal({ AAPL: 500, TSLA: 500, NVDA: 500, SPY: 400, QQQ: 400 });
    for (const market of s.config.markets) {
      const id = market.marketId;
      expect(await s.adapter.isListed(id)).to.equal(true);
      const expectedParams = asBigInts(defaultOracleMarketParams(market.bandTierBps));
      const params = await s.adapter.marketParams(id);
      const onChainDefaults = await s.adapter.defaultMarketParams(market.bandTierBps);
      expect(fields(params, expectedParams)).to.deep.equal(expectedParams);
      expect(fields(onChainDefaults, expectedParams)).to.deep.equal(expectedParams);
      expect((await s.adapter.checkpoint(id)).lastGoodPriceX18).to.equal(market.initialPriceX18);
      expect(await s.feeds.feedOf(id)).to.equal(s.record.mocks!.chainlinkFeeds[id]);
      // local.json names the extended- and overnight-hours streams (REGULAR reads the Chainlink feed).
      expect(await s.dataStreamsRegularHours.feedOf(id)).to.equal(ZeroHash);
      expect(await s.dataStreamsExtendedHours.feedOf(id)).to.equal(market.dataStreams!.extendedHours);
      expect(await s.dataStreamsOvernightHours.feedOf(id)).to.equal(market.dataStreams!.overnightHours);
      expect(market.dataStreams!.extendedHours).to.not.equal(market.dataStreams!.overnightHours);
      expect((await s.pyth.feedConfigOf(id)).priceId).to.equal(market.pyth!.priceId);
      expect(await s.quotes.minQuotesOf(id)).to.equal(3n);
      const regular = await s.adapter.sessionSources(id, Session.REGULAR);
      expect([regular.primary, regular.secondary]).to.deep.equal([
        await s.feeds.getAddress(),
        await s.pyth.getAddress(),
      ]);
      for (const [session, streams] of [
        [Session.PRE_MARKET, s.dataStreamsExtendedHours],
        [Session.POST_MARKET, s.dataStreamsExtendedHours],
        [Session.OVERNIGHT, s.dataStreamsOvernightHours],
      ] as const) {
        const sources = await s.adapter.sessionSources(id, session);
        expect([sources.primary, sources.secondary]).to.deep.equal([
          await streams.getAddress(),
          await s.pyth.getAddress(),
        ]);
      }
      expect((await s.adapter.sessionSources(id, Session.CLOSED)).primary).to.equal(
        await s.quotes.getAddress(),
      );

      const config = await s.registry.marketConfig(id);
      expect(config.listed).to.equal(true);
      expect(config.tickSizeX18).to.equal(X18 / 100n);
      const expectedBreaker = asBigInts(defaultCircuitBreakerParams());
      expect(fields(config.breaker, expectedBreaker)).to.deep.equal(expectedBreaker);
      const onChainBreaker = await s.registry.defaultCircuitBreakerParams();
      expect(fields(onChainBreaker, expectedBreaker)).to.deep.equal(expectedBreaker);
      for (const [i, session] of SESSIONS.entries()) {
        const risk = await s.registry.sessionRiskParams(id, session);
        expect(fields(risk, market.risk[i]!)).to.deep.equal(market.risk[i]);
      }
    }
  });

  it("puts every role where it belongs", async function () {
    const s = await networkHelpers.loadFixture(deployLocalSystem);
    const timelock = await s.timelock.getAddress();
    const [, governance, guardian, matcher] = s.signers.map((x) => x.address);
    const ch = await s.clearinghouse.getAddress();
    for (const contract of Object.values(accessControlled(s))) {
      if (contract === s.timelock) continue;
      expect(await contract.hasRole(ROLES.DEFAULT_ADMIN, timelock), await contract.getAddress()).to.equal(
        true,
      );
    }
    expect(await s.vault.hasRole(ROLES.GUARDIAN, guardian!)).to.equal(true);
    expect(await s.clearinghouse.hasRole(ROLES.GUARDIAN, guardian!)).to.equal(true);
    expect(await s.quotes.hasRole(ROLES.GUARDIAN, guardian!)).to.equal(true);
    expect(await s.clearinghouse.hasRole(ROLES.MATCHER, matcher!)).to.equal(true);
    expect(await s.liquidationEngine.hasRole(ROLES.GUARDIAN, guardian!)).to.equal(true);
    const engine = await s.liquidationEngine.getAddress();
    expect(await s.clearinghouse.hasRole(ROLES.LIQUIDATOR, engine)).to.equal(true);
    expect(await s.vault.hasRole(ROLES.LIQUIDATION, engine)).to.equal(true);
    expect(await s.adapter.hasRole(ROLES.TRADE_REPORTER, ch)).to.equal(true);
    expect(await s.corporateActions.hasRole(ROLES.CORPORATE_ACTIONS, timelock)).to.equal(true);
    expect(await s.calendar.hasRole(ROLES.CALENDAR, timelock)).to.equal(true);
    for (const contract of [s.adapter, s.registry]) {
      expect(await contract.hasRole(ROLES.MARKET_LISTER, timelock)).to.equal(true);
      expect(await contract.hasRole(ROLES.RISK_MANAGER, timelock)).to.equal(true);
    }
    expect(await s.timelock.hasRole(await s.timelock.PROPOSER_ROLE(), governance!)).to.equal(true);
    expect(await s.timelock.hasRole(await s.timelock.EXECUTOR_ROLE(), governance!)).to.equal(true);
  });

  it("leaves no role of any contract with the deployer", async function () {
    const s = await networkHelpers.loadFixture(deployLocalSystem);
    const timelockRoles = [
      await s.timelock.PROPOSER_ROLE(),
      await s.timelock.EXECUTOR_ROLE(),
      await s.timelock.CANCELLER_ROLE(),
    ];
    for (const [name, contract] of Object.entries(accessControlled(s))) {
      for (const role of [...ALL_ROLES, ...timelockRoles]) {
        expect(await contract.hasRole(role, s.deployer.address), `${name} ${role}`).to.equal(false);
      }
    }
  });

  it("trades a market end to end: deposit, two signed orders settled by the matcher, positions", async function () {
    const s = await networkHelpers.loadFixture(deployLocalSystem);
    const matcher = s.signers[3]!;
    const [alice, bob] = [s.signers[6]!, s.signers[7]!];
    for (const user of [alice, bob]) {
      await s.usdc.mint(user.address, 50_000n * USDC);
      await s.usdc.connect(user).approve(await s.vault.getAddress(), 50_000n * USDC);
      await s.vault.connect(user).deposit(0, 50_000n * USDC);
    }
    const aapl = s.config.markets[0]!;
    const state = await s.adapter.priceState(aapl.marketId);
    expect(state.session).to.equal(Session.CLOSED);
    expect(state.markPriceX18).to.equal(aapl.initialPriceX18);
    const domain = orderDomain(
      (await ethers.provider.getNetwork()).chainId,
      await s.clearinghouse.getAddress(),
    );
    const expiry = BigInt(await networkHelpers.time.latest()) + 3_600n;
    const order = (user: Signer & { address: string }, isBuy: boolean): Order => ({
      owner: user.address,
      subaccount: 0n,
      signer: user.address,
      marketId: aapl.marketId,
      isBuy,
      sizeX18: 10n * X18,
      limitPriceX18: aapl.initialPriceX18,
      expiry,
      nonce: 1n,
      epoch: 0n,
      flags: 0,
    });
    const maker = order(alice, false);
    const taker = order(bob, true);
    const match = {
      maker,
      makerSignature: await signOrder(alice, domain, maker),
      taker,
      takerSignature: await signOrder(bob, domain, taker),
      fillSizeX18: 10n * X18,
    };
    await expect(s.clearinghouse.connect(alice).settleMatches([match]))
      .to.be.revertedWithCustomError(s.clearinghouse, "AccessControlUnauthorizedAccount")
      .withArgs(alice.address, ROLES.MATCHER);
    await expect(s.clearinghouse.connect(matcher).settleMatches([match])).to.emit(
      s.clearinghouse,
      "MatchSettled",
    );
    const bobPosition = await s.clearinghouse.position(accountId(bob.address, 0n), aapl.marketId);
    const alicePosition = await s.clearinghouse.position(accountId(alice.address, 0n), aapl.marketId);
    expect(bobPosition.sizeX18).to.equal(10n * X18);
    expect(alicePosition.sizeX18).to.equal(-10n * X18);
    expect(bobPosition.openNotionalX18).to.equal(10n * aapl.initialPriceX18);
    const [balanceX18, liabilitiesX18] = await s.vault.accountingIdentity();
    expect(balanceX18).to.equal(liabilitiesX18);
  });
});

describe("deploy/config: parameter files", function () {
  it("parses the shipped local file: five markets, the 2026–2028 calendar's sessions and mocks", function () {
    const config = loadDeploymentConfig(parametersFile("local"));
    expect(config.markets.map((m) => m.symbol)).to.deep.equal(["AAPL", "TSLA", "NVDA", "SPY", "QQQ"]);
    expect(config.markets.every((m) => m.sessions.size === 5)).to.equal(true);
    expect(config.oracle.pyth).to.equal("MOCK");
  });

  it("parses the L2 template but refuses to resolve its REPLACE_ME values", function () {
    const json = JSON.parse(readFileSync(parametersFile("l2-template"), "utf8")) as unknown;
    const config = parseDeploymentConfig(json);
    expect(config.chainId).to.equal(42161);
    const missing = replaceMePaths(json);
    expect(missing).to.include.members([
      "governance.governance",
      "roles.matcher",
      "markets[0].chainlinkFeed",
    ]);
    expect(missing).to.not.include("oracle.pyth");
    const accounts = ["0x0000000000000000000000000000000000000001"];
    try {
      resolveDeploymentConfig(config, { deployer: accounts[0]!, accounts });
      expect.fail("resolved a template");
    } catch (err) {
      expect(err).to.be.instanceOf(DeploymentConfigError);
      const problems = (err as DeploymentConfigError).problems;
      expect(problems).to.include("governance is REPLACE_ME: set it before deploying");
      expect(problems).to.include("markets[0] (AAPL).initialPriceUsd is REPLACE_ME");
      expect(problems).to.include("markets[0] (AAPL).dataStreams.extendedHours is REPLACE_ME");
      expect(problems).to.include("markets[4] (QQQ).dataStreams.overnightHours is REPLACE_ME");
    }
  });

  it("names one Data Streams stream per trading phase and checks each session has its stream", function () {
    const json = JSON.parse(readFileSync(parametersFile("local"), "utf8")) as {
      markets: Record<string, unknown>[];
    };
    const aapl = json.markets[0]! as { dataStreams: Record<string, string> };
    const tsla = json.markets[1]! as { dataStreams: Record<string, string> };
    expect(dataStreamKindOf(Session.REGULAR)).to.equal("regularHours");
    expect(dataStreamKindOf(Session.PRE_MARKET)).to.equal("extendedHours");
    expect(dataStreamKindOf(Session.POST_MARKET)).to.equal("extendedHours");
    expect(dataStreamKindOf(Session.OVERNIGHT)).to.equal("overnightHours");
    expect(dataStreamKindOf(Session.CLOSED)).to.equal(undefined);
    const parsed = parseDeploymentConfig(json).markets[0]!;
    expect(parsed.dataStreams).to.deep.equal(aapl.dataStreams);

    const v11 = (n: number) => "0x000b" + n.toString(16).padStart(60, "0");
    json.markets[0] = { ...aapl, dataStreams: { extendedHours: v11(1) }, dataStreamsFeedId: v11(2) };
    json.markets[1] = {
      ...tsla,
      dataStreams: { extendedHours: v11(3), overnightHours: v11(3), lunchHours: v11(4) },
    };
    json.markets[2]!["dataStreams"] = { extendedHours: "0x0003" + "00".repeat(30), overnightHours: v11(5) };
    json.markets[3]!["dataStreams"] = { extendedHours: v11(1), overnightHours: v11(6) };
    try {
      parseDeploymentConfig(json);
      expect.fail("parsed an invalid file");
    } catch (err) {
      expect(err).to.be.instanceOf(DeploymentConfigError);
      expect((err as DeploymentConfigError).problems).to.deep.equal([
        'markets[0] (AAPL).dataStreamsFeedId was replaced by dataStreams: {"regularHours", "extendedHours", "overnightHours"} (one stream per trading phase)',
        "markets[0] (AAPL): OVERNIGHT uses dataStreams without dataStreams.overnightHours",
        "markets[1] (TSLA).dataStreams: extendedHours and overnightHours name the same stream",
        "markets[1] (TSLA).dataStreams.lunchHours is not a stream kind (regularHours, extendedHours, overnightHours)",
        "markets[2] (NVDA).dataStreams.extendedHours must be a 32-byte v11 stream id (0x000b…)",
        `dataStreams.extendedHours ${v11(1)} is given to both AAPL and SPY`,
      ]);
    }
  });

  it("funds the backstop only with the mock collateral, from a whole-token amount", function () {
    const json = JSON.parse(readFileSync(parametersFile("local"), "utf8")) as Record<string, unknown>;
    expect(parseDeploymentConfig(json).backstopDepositTokens).to.equal(1_000_000n);
    const problemsOf = (patch: Record<string, unknown>): readonly string[] => {
      try {
        parseDeploymentConfig({ ...json, ...patch });
      } catch (err) {
        return (err as DeploymentConfigError).problems;
      }
      return [];
    };
    expect(problemsOf({ collateralToken: "0x0000000000000000000000000000000000000001" })).to.deep.equal([
      "liquidation.backstopDeposit needs the MOCK collateral (fund a real backstop with depositFor)",
    ]);
    expect(problemsOf({ liquidation: { backstopDeposit: "1.5" } })).to.deep.equal([
      'liquidation.backstopDeposit must be a whole-token decimal string, got "1.5"',
    ]);
    expect(parseDeploymentConfig({ ...json, liquidation: undefined }).backstopDepositTokens).to.equal(0n);
  });

  it("reports every problem of an invalid file at once", function () {
    const json = JSON.parse(readFileSync(parametersFile("local"), "utf8")) as {
      markets: Record<string, unknown>[];
      roles: Record<string, unknown>;
    };
    json.roles["matcher"] = "0x1234";
    json.markets[0]!["bandTierBps"] = 5;
    json.markets[1]!["sessions"] = { CLOSED: ["pyth"], LUNCH: ["pyth"] };
    json.markets[2]!["marketId"] = json.markets[3]!["marketId"];
    json.markets[4]!["sessions"] = { REGULAR: ["pyth", "signedQuotes"], CLOSED: ["signedQuotes"] };
    try {
      parseDeploymentConfig(json);
      expect.fail("parsed an invalid file");
    } catch (err) {
      const problems = (err as DeploymentConfigError).problems;
      expect(problems).to.include(
        "roles.matcher must be a 0x address, DEPLOYER, TIMELOCK, MOCK, ACCOUNT:n or REPLACE_ME",
      );
      expect(problems).to.include("markets[0] (AAPL).bandTierBps must be an integer in [100, 2000]");
      expect(problems).to.include(
        "markets[1] (TSLA).sessions.CLOSED: signedQuotes is the only source of CLOSED, and only there",
      );
      expect(problems).to.include("markets[1] (TSLA).sessions.LUNCH is not a session name");
      expect(problems).to.include("markets must have distinct marketIds");
      expect(problems).to.include(
        "markets[4] (QQQ).sessions.REGULAR: signedQuotes is the only source of CLOSED, and only there",
      );
    }
    const config = loadDeploymentConfig(parametersFile("local"));
    config.collateralToken = "TIMELOCK";
    config.oracle.pyth = "MOCK";
    const accounts = ["0x0000000000000000000000000000000000000001"];
    try {
      resolveDeploymentConfig(config, { deployer: accounts[0]!, accounts });
      expect.fail("resolved a timelock collateral");
    } catch (err) {
      const problems = (err as DeploymentConfigError).problems;
      expect(problems).to.include("collateralToken cannot be TIMELOCK");
      expect(problems).to.include("oracle.pyth is MOCK but no mock was deployed");
      expect(problems).to.include("roles.matcher: no account 3");
    }
    expect(REPLACE_ME).to.equal("REPLACE_ME");
  });
});
