// `tessera keys list|rotate` and `tessera audit list`.
#include <iostream>

#include "cli/management.hpp"
#include "cli/output.hpp"

namespace tessera::cli {
namespace {

struct KeysFlags {
  CommonFlags common;
  std::string algorithm;
  std::int64_t activate_after = -1;  // -1: the server's publish delay
};

struct AuditFlags {
  CommonFlags common;
  client::AuditFilter filter;
  client::PageRequest page;
};

int list_keys(const KeysFlags& flags) {
  return with_client("keys list", flags.common, [&](const Client& tessera) {
    auto keys = tessera.keys().list_keys();
    if (!keys) return report("keys list", keys.error());
    if (flags.common.json) {
      Json list = Json::array();
      for (const auto& key : *keys)
        list.push_back(to_json(key));
      print_json(std::cout, {{"keys", std::move(list)}});
      return kExitOk;
    }
    Table table({"ID", "ALGORITHM", "STATE", "ACTIVATES", "RETIRES", "UNPUBLISHED"});
    for (const auto& key : *keys) {
      table.add({key.id, key.algorithm, key.state, short_time(key.activate_time),
                 short_time(key.retire_time), short_time(key.unpublish_time)});
    }
    table.print(std::cout);
    return kExitOk;
  });
}

int rotate_key(const KeysFlags& flags) {
  client::RotateKeyOptions options{.algorithm = flags.algorithm};
  if (flags.activate_after >= 0)
    options.activate_after = std::chrono::seconds(flags.activate_after);
  return with_client("keys rotate", flags.common, [&](const Client& tessera) {
    auto key = tessera.keys().rotate_key(options);
    if (!key) return report("keys rotate", key.error());
    if (flags.common.json) {
      print_json(std::cout, {{"key", to_json(*key)}});
    } else {
      print_fields(std::cout, fields_of(*key));
      std::cout << "Published now; signs from " << short_time(key->activate_time) << ".\n";
    }
    return kExitOk;
  });
}

int list_audit(const AuditFlags& flags) {
  return with_client("audit list", flags.common, [&](const Client& tessera) {
    auto page = tessera.audit().list_events(flags.filter, flags.page);
    if (!page) return report("audit list", page.error());
    if (flags.common.json) {
      print_json(std::cout, page_json("audit_events", *page));
      return kExitOk;
    }
    Table table({"TIME", "ACTION", "OUTCOME", "TARGET", "ORGANIZATION", "ACTOR", "SOURCE"});
    for (const auto& e : page->items) {
      const auto dash = [](const std::string& s) { return s.empty() ? std::string("-") : s; };
      table.add({short_time(e.time), e.action, e.outcome, dash(e.target_id),
                 dash(e.organization_id), e.actor, dash(e.source_address)});
    }
    table.print(std::cout);
    if (!page->next_page_token.empty()) {
      std::cout << "next page: --page-token " << page->next_page_token << "\n";
    }
    return kExitOk;
  });
}

}  // namespace

void add_keys_commands(CLI::App& app, const Selected& selected) {
  CLI::App* keys = app.add_subcommand("keys", "Signing keys");
  keys->require_subcommand(1);

  auto l = std::make_shared<KeysFlags>();
  CLI::App* list_cmd = keys->add_subcommand("list", "List the signing keys and their states");
  add_common_options(*list_cmd, l->common);
  on_parsed(*list_cmd, selected, [l] { return list_keys(*l); });

  auto r = std::make_shared<KeysFlags>();
  CLI::App* rotate_cmd =
      keys->add_subcommand("rotate", "Publish a new signing key; it signs after the publish delay");
  rotate_cmd->add_option("--algorithm", r->algorithm, "RS256, ES256 or EdDSA (default: server's)");
  rotate_cmd
      ->add_option("--activate-after", r->activate_after,
                   "Seconds until it signs (default: the server's --key-publish-delay)")
      ->check(CLI::Range(std::int64_t{0}, std::int64_t{30} * 86400));
  add_common_options(*rotate_cmd, r->common);
  on_parsed(*rotate_cmd, selected, [r] { return rotate_key(*r); });
}

void add_audit_commands(CLI::App& app, const Selected& selected) {
  CLI::App* audit = app.add_subcommand("audit", "The audit log of management changes");
  audit->require_subcommand(1);

  auto f = std::make_shared<AuditFlags>();
  CLI::App* list_cmd = audit->add_subcommand("list", "List audit events, newest first");
  list_cmd->add_option("--org", f->filter.organization_id, "Only this organization's");
  list_cmd->add_option("--actor", f->filter.actor, "Only this environment client's");
  list_cmd->add_option("--target", f->filter.target_id, "Only those about this id");
  list_cmd->add_option("--action", f->filter.action, "Only this action, e.g. client.create");
  list_cmd->add_option("--page-size", f->page.page_size, "Items per page")
      ->check(CLI::Range(1, 1000));
  list_cmd->add_option("--page-token", f->page.page_token, "Page to show");
  add_common_options(*list_cmd, f->common);
  on_parsed(*list_cmd, selected, [f] { return list_audit(*f); });
}

}  // namespace tessera::cli
