// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {IHashpowerToken} from "../interfaces/IHashpowerToken.sol";
import {ISettlement} from "../interfaces/ISettlement.sol";

/// @title TestInvariantLens
/// @notice Test-only: everything the stateful invariant campaign checks after a step, read in one `eth_call`.
contract TestInvariantLens {
    /// @notice Per series (in `ids` order) and per (series, account) (row-major: `i * accounts.length + j`).
    struct Snapshot {
        uint256[] supply;
        uint256[] distributed;
        uint256[] debt;
        uint256[] balances;
        uint256[] claimables;
        uint256 tokenAssetBalance; // payout asset held by the token
        uint256 settlementAssetBalance; // payout asset held by the settlement
        uint256 payoutBalance; // farm's payout balance in the asset
        uint256 collateral; // farm's collateral in the asset
        uint256 farmDebt; // farm's debt in the asset
    }

    function snapshot(
        IHashpowerToken token,
        ISettlement settlement,
        IERC20 asset,
        address farm,
        uint256[] calldata ids,
        address[] calldata accounts
    ) external view returns (Snapshot memory s) {
        uint256 n = ids.length;
        uint256 m = accounts.length;
        s.supply = new uint256[](n);
        s.distributed = new uint256[](n);
        s.debt = new uint256[](n);
        s.balances = new uint256[](n * m);
        s.claimables = new uint256[](n * m);
        for (uint256 i; i < n; ++i) {
            IHashpowerToken.SeriesState memory st = token.seriesState(ids[i]);
            s.supply[i] = st.supply;
            s.distributed[i] = st.distributed;
            s.debt[i] = settlement.debt(ids[i]);
            for (uint256 j; j < m; ++j) {
                s.balances[i * m + j] = IERC1155Balance(address(token)).balanceOf(accounts[j], ids[i]);
                s.claimables[i * m + j] = token.claimable(accounts[j], ids[i]);
            }
        }
        s.tokenAssetBalance = asset.balanceOf(address(token));
        s.settlementAssetBalance = asset.balanceOf(address(settlement));
        s.payoutBalance = settlement.payoutBalance(farm, address(asset));
        s.collateral = settlement.collateral(farm, address(asset));
        s.farmDebt = IFarmDebt(address(settlement)).farmDebt(farm, address(asset));
    }
}

interface IERC1155Balance {
    function balanceOf(address account, uint256 id) external view returns (uint256);
}

interface IFarmDebt {
    function farmDebt(address farm, address asset) external view returns (uint256);
}
