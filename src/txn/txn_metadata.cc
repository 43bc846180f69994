#include "conveyor/txn/txn_metadata.h"

#include <array>
#include <utility>

namespace conveyor::txn {

namespace {

constexpr std::array<std::pair<TxnState, std::string_view>, 7> kNames{{
    {TxnState::empty, "Empty"},
    {TxnState::ongoing, "Ongoing"},
    {TxnState::prepare_commit, "PrepareCommit"},
    {TxnState::prepare_abort, "PrepareAbort"},
    {TxnState::complete_commit, "CompleteCommit"},
    {TxnState::complete_abort, "CompleteAbort"},
    {TxnState::dead, "Dead"},
}};

}  // namespace

std::string_view to_string(TxnState state) {
  for (const auto& [s, name] : kNames) {
    if (s == state) return name;
  }
  return "Unknown";
}

std::optional<TxnState> parse_txn_state(std::string_view name) {
  for (const auto& [s, n] : kNames) {
    if (n == name) return s;
  }
  return std::nullopt;
}

std::optional<TxnState> txn_state_from_id(std::int8_t id) {
  if (id < 0 || id > static_cast<std::int8_t>(TxnState::dead)) return std::nullopt;
  return static_cast<TxnState>(id);
}

}  // namespace conveyor::txn
