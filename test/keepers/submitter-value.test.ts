import { expect } from "chai";
import { Wallet } from "ethers";
import { network } from "hardhat";
import { silentLogger } from "../../keepers/lib/logger.js";
import { WalletSubmitter } from "../../keepers/lib/submitter.js";

const { ethers, networkHelpers } = await network.create();

describe("keepers/lib/submitter: a request's value", function () {
  it("is simulated, estimated and sent with the transaction (e.g. Pyth's update fee)", async function () {
    const key = new Wallet(Wallet.createRandom().privateKey, ethers.provider);
    await networkHelpers.setBalance(key.address, 10n ** 18n);
    const recipient = Wallet.createRandom().address;
    const submitter = new WalletSubmitter(key, ethers.provider, silentLogger, { receiptPollMs: 10 });
    const receipt = await submitter.submit({ to: recipient, data: "0x", value: 12_345n });
    expect(receipt.status).to.equal(1);
    expect(await ethers.provider.getBalance(recipient)).to.equal(12_345n);
    await submitter.submit({ to: recipient, data: "0x" });
    expect(await ethers.provider.getBalance(recipient)).to.equal(12_345n);
  });
});
