import { expect } from "chai";
import { network } from "hardhat";
import { loadDeploymentConfig, parametersFile } from "../../deploy/config.js";
import { deployLocalMocks, deploySystem } from "../../deploy/system.js";
import { dayNumber, DayKind, Session } from "../../sdk/calendar.js";
import {
  CollateralVault__factory,
  InsuranceFund__factory,
  MarketCalendar__factory,
  TimelockController__factory,
} from "../../typechain-types/index.js";

const connection = await network.create({ override: { initialDate: "2026-11-15T00:00:00Z" } }); // a fixed start: the tests read the 2026 calendar
const { ethers, networkHelpers } = connection;

const DEFAULT_ADMIN_ROLE = ethers.ZeroHash;
const TWO_DAYS = 2n * 24n * 60n * 60n;

async function deployLocalFoundation() {
  const [deployer, governance, guardian] = await ethers.getSigners();
  if (deployer === undefined || governance === undefined || guardian === undefined) {
    throw new Error("the in-process chain has too few accounts");
  }
  // deploy/parameters/local.json: governance is account 1, the guardian account 2.
  const config = loadDeploymentConfig(parametersFile("local"));
  const mocks = await deployLocalMocks(connection, config, deployer.address);
  const { contracts } = await deploySystem(connection, config, mocks);
  return {
    deployer,
    governance,
    guardian,
    usdcAddress: contracts.collateralToken,
    timelock: TimelockController__factory.connect(contracts.timelock, deployer),
    calendar: MarketCalendar__factory.connect(contracts.calendar, deployer),
    insuranceFund: InsuranceFund__factory.connect(contracts.insuranceFund, deployer),
    vault: CollateralVault__factory.connect(contracts.vault, deployer),
  };
}

describe("deploy/modules: the foundation deployed with Ignition", function () {
  it("deploys the calendar with the shipped NYSE 2026–2028 data", async function () {
    const { calendar } = await networkHelpers.loadFixture(deployLocalFoundation);
    expect(await calendar.dayKind(dayNumber("2026-11-26"))).to.equal(DayKind.HOLIDAY);
    expect(await calendar.dayKind(dayNumber("2026-11-27"))).to.equal(DayKind.EARLY_CLOSE);
    expect(await calendar.dayKind(dayNumber("2028-07-03"))).to.equal(DayKind.EARLY_CLOSE);
    // Thanksgiving 2026 at noon New York is closed; the Friday after it at 14:00 is post-market.
    expect(await calendar.sessionAt(Date.parse("2026-11-26T17:00:00Z") / 1000)).to.equal(Session.CLOSED);
    expect(await calendar.sessionAt(Date.parse("2026-11-27T19:00:00Z") / 1000)).to.equal(Session.POST_MARKET);
  });

  it("wires the vault and the insurance fund to each other and to the collateral token", async function () {
    const { vault, insuranceFund, usdcAddress, guardian } =
      await networkHelpers.loadFixture(deployLocalFoundation);
    expect(await vault.token()).to.equal(usdcAddress);
    expect(await vault.insuranceFund()).to.equal(await insuranceFund.getAddress());
    expect(await insuranceFund.vault()).to.equal(await vault.getAddress());
    expect(await vault.hasRole(await vault.GUARDIAN_ROLE(), guardian.address)).to.equal(true);
  });

  it("hands every admin role to the timelock and leaves none with the deployer", async function () {
    const { deployer, timelock, calendar, insuranceFund, vault } =
      await networkHelpers.loadFixture(deployLocalFoundation);
    const timelockAddress = await timelock.getAddress();
    for (const contract of [calendar, insuranceFund, vault]) {
      expect(await contract.hasRole(DEFAULT_ADMIN_ROLE, timelockAddress)).to.equal(true);
      expect(await contract.hasRole(DEFAULT_ADMIN_ROLE, deployer.address)).to.equal(false);
    }
    expect(await calendar.hasRole(await calendar.CALENDAR_ROLE(), timelockAddress)).to.equal(true);
    expect(await calendar.hasRole(await calendar.CALENDAR_ROLE(), deployer.address)).to.equal(false);
  });

  it("gives governance the timelock's proposer and executor roles behind a 48 h delay", async function () {
    const { deployer, governance, timelock } = await networkHelpers.loadFixture(deployLocalFoundation);
    expect(await timelock.getMinDelay()).to.equal(TWO_DAYS);
    expect(await timelock.hasRole(await timelock.PROPOSER_ROLE(), governance.address)).to.equal(true);
    expect(await timelock.hasRole(await timelock.EXECUTOR_ROLE(), governance.address)).to.equal(true);
    expect(await timelock.hasRole(await timelock.PROPOSER_ROLE(), deployer.address)).to.equal(false);
    expect(await timelock.hasRole(DEFAULT_ADMIN_ROLE, deployer.address)).to.equal(false);
  });

  it("lets governance change the calendar only through the timelock delay", async function () {
    const { deployer, governance, timelock, calendar } =
      await networkHelpers.loadFixture(deployLocalFoundation);
    const closure = BigInt(dayNumber("2027-03-10"));
    await expect(calendar.setDayKinds([closure], [DayKind.HOLIDAY]))
      .to.be.revertedWithCustomError(calendar, "AccessControlUnauthorizedAccount")
      .withArgs(deployer.address, await calendar.CALENDAR_ROLE());

    const data = calendar.interface.encodeFunctionData("setDayKinds", [[closure], [DayKind.HOLIDAY]]);
    const salt = ethers.id("closure 2027-03-10");
    const asGovernance = timelock.connect(governance);
    await asGovernance.schedule(await calendar.getAddress(), 0n, data, ethers.ZeroHash, salt, TWO_DAYS);
    await expect(
      asGovernance.execute(await calendar.getAddress(), 0n, data, ethers.ZeroHash, salt),
    ).to.be.revertedWithCustomError(timelock, "TimelockUnexpectedOperationState");

    await networkHelpers.time.increase(TWO_DAYS);
    await expect(asGovernance.execute(await calendar.getAddress(), 0n, data, ethers.ZeroHash, salt))
      .to.emit(calendar, "DayKindSet")
      .withArgs(closure, DayKind.NORMAL, DayKind.HOLIDAY);
    expect(await calendar.dayKind(closure)).to.equal(DayKind.HOLIDAY);
  });
});
