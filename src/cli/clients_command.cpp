// `tessera clients create|list|get|update|delete` and `tessera secrets add|remove`: the API
// clients of one organization (--org or TESSERA_ORGANIZATION_ID).
#include <iostream>

#include "cli/management.hpp"
#include "cli/output.hpp"

namespace tessera::cli {
namespace {

struct ClientFlags {
  CommonFlags common;
  std::string org;
  std::string id;
  std::string secret_id;
  std::string name;
  std::string description;
  std::vector<std::string> scopes;
  std::vector<std::string> audience;
  std::vector<std::string> claims;
  std::int64_t expiry = 0;
  client::PageRequest page;
  bool all = false;
};

using Flags = std::shared_ptr<ClientFlags>;

Result<std::vector<client::CustomClaim>, std::string> claims_of(const ClientFlags& flags) {
  std::vector<client::CustomClaim> out;
  for (const auto& pair : flags.claims) {
    auto split = split_pair(pair);
    if (!split) return fail("--claim must be KEY=VALUE, got '" + pair + "'");
    out.push_back({split->first, split->second});
  }
  return out;
}

void print(const client::ApiClient& api_client, bool json) {
  if (json) {
    print_json(std::cout, {{"client", to_json(api_client)}});
  } else {
    print_fields(std::cout, fields_of(api_client));
  }
}

int create(const ClientFlags& flags) {
  auto claims = claims_of(flags);
  if (!claims) return usage_error("clients create", claims.error());
  return with_client("clients create", flags.common, [&](const Client& tessera) {
    auto created =
        tessera.m2m().create_client(flags.org, {.name = flags.name,
                                                .description = flags.description,
                                                .scopes = flags.scopes,
                                                .audience = flags.audience,
                                                .custom_claims = *claims,
                                                .expiry = std::chrono::seconds(flags.expiry)});
    if (!created) return report("clients create", created.error());
    if (flags.common.json) {
      // The seed's sample response, byte for byte in shape.
      print_json(std::cout,
                 {{"client", to_json(created->client)}, {"plain_secret", created->plain_secret}});
    } else {
      Fields fields = fields_of(created->client);
      fields.push_back({"plain_secret", created->plain_secret});
      print_fields(std::cout, fields);
    }
    warn_secret_shown_once();
    return kExitOk;
  });
}

Result<client::Page<client::ApiClient>, client::Error> list_pages(const Client& tessera,
                                                                  const ClientFlags& flags) {
  auto page = tessera.m2m().list_clients(flags.org, flags.page);
  if (!page || !flags.all) return page;
  client::PageRequest next = flags.page;
  while (!page->next_page_token.empty()) {
    next.page_token = page->next_page_token;
    auto more = tessera.m2m().list_clients(flags.org, next);
    if (!more) return more;
    page->items.insert(page->items.end(), more->items.begin(), more->items.end());
    page->next_page_token = more->next_page_token;
  }
  page->prev_page_token.clear();
  return page;
}

int list(const ClientFlags& flags) {
  return with_client("clients list", flags.common, [&](const Client& tessera) {
    auto page = list_pages(tessera, flags);
    if (!page) return report("clients list", page.error());
    if (flags.common.json) {
      print_json(std::cout, page_json("clients", *page));
      return kExitOk;
    }
    Table table({"CLIENT ID", "NAME", "SCOPES", "EXPIRY", "SECRETS", "CREATED"});
    for (const auto& c : page->items) {
      table.add({c.client_id, c.name, c.scopes.empty() ? "-" : join(c.scopes, " "),
                 std::to_string(c.expiry.count()) + "s", std::to_string(c.secrets.size()),
                 short_time(c.create_time)});
    }
    table.print(std::cout);
    std::cout << page->items.size() << " of " << page->total_size << " clients\n";
    if (!page->next_page_token.empty()) {
      std::cout << "next page: --page-token " << page->next_page_token << "\n";
    }
    return kExitOk;
  });
}

int get(const ClientFlags& flags) {
  return with_client("clients get", flags.common, [&](const Client& tessera) {
    auto found = tessera.m2m().get_client(flags.org, flags.id);
    if (!found) return report("clients get", found.error());
    print(*found, flags.common.json);
    return kExitOk;
  });
}

Result<client::ClientUpdate, std::string> update_of(const ClientFlags& flags,
                                                    const CLI::App& command) {
  client::ClientUpdate change;
  if (command.count("--name") > 0) change.name = flags.name;
  if (command.count("--description") > 0) change.description = flags.description;
  if (!flags.scopes.empty()) change.scopes = flags.scopes;
  if (!flags.audience.empty()) change.audience = flags.audience;
  if (!flags.claims.empty()) {
    auto claims = claims_of(flags);
    if (!claims) return fail(claims.error());
    change.custom_claims = std::move(*claims);
  }
  if (command.count("--expiry") > 0) change.expiry = std::chrono::seconds(flags.expiry);
  if (!change.name && !change.description && !change.scopes && !change.audience &&
      !change.custom_claims && !change.expiry) {
    return fail(
        std::string("nothing to change: give --name, --description, --scope, --audience, "
                    "--claim or --expiry"));
  }
  return change;
}

int update(const ClientFlags& flags, const CLI::App& command) {
  auto change = update_of(flags, command);
  if (!change) return usage_error("clients update", change.error());
  return with_client("clients update", flags.common, [&](const Client& tessera) {
    auto updated = tessera.m2m().update_client(flags.org, flags.id, *change);
    if (!updated) return report("clients update", updated.error());
    print(*updated, flags.common.json);
    return kExitOk;
  });
}

int remove(const ClientFlags& flags) {
  return with_client("clients delete", flags.common, [&](const Client& tessera) {
    auto deleted = tessera.m2m().delete_client(flags.org, flags.id);
    if (!deleted) return report("clients delete", deleted.error());
    if (flags.common.json) {
      print_json(std::cout, Json::object());
    } else {
      std::cout << "Deleted client " << flags.id << " (its tokens can no longer be renewed)\n";
    }
    return kExitOk;
  });
}

int add_secret(const ClientFlags& flags) {
  return with_client("secrets add", flags.common, [&](const Client& tessera) {
    auto created = tessera.m2m().add_secret(flags.org, flags.id);
    if (!created) return report("secrets add", created.error());
    if (flags.common.json) {
      print_json(std::cout,
                 {{"plain_secret", created->plain_secret}, {"secret", to_json(created->secret)}});
    } else {
      print_fields(std::cout, {{"client_id", flags.id},
                               {"secret_id", created->secret.id},
                               {"plain_secret", created->plain_secret}});
    }
    warn_secret_shown_once();
    return kExitOk;
  });
}

int remove_secret(const ClientFlags& flags) {
  return with_client("secrets remove", flags.common, [&](const Client& tessera) {
    auto removed = tessera.m2m().remove_secret(flags.org, flags.id, flags.secret_id);
    if (!removed) return report("secrets remove", removed.error());
    if (flags.common.json) {
      print_json(std::cout, Json::object());
    } else {
      std::cout << "Removed secret " << flags.secret_id << " of " << flags.id << "\n";
    }
    return kExitOk;
  });
}

// --- Registration ------------------------------------------------------------------------------

CLI::App* leaf(CLI::App& group, const char* name, const char* description, ClientFlags& flags,
               bool takes_client_id) {
  CLI::App* command = group.add_subcommand(name, description);
  command->add_option("--org", flags.org, "Organization id (org_...)")
      ->envname("TESSERA_ORGANIZATION_ID")
      ->required();
  if (takes_client_id) {
    command->add_option("CLIENT_ID", flags.id, "API client id (m2morg_...)")->required();
  }
  add_common_options(*command, flags.common);
  return command;
}

void add_details_options(CLI::App& command, ClientFlags& flags, bool name_required) {
  auto* name = command.add_option("--name", flags.name, "Name (1-128 characters)");
  if (name_required) name->required();
  command.add_option("--description", flags.description, "Description (at most 512 characters)");
  command.add_option("--scope", flags.scopes, "Scope the client may request (repeatable)");
  command.add_option("--audience", flags.audience, "Token audience, aud (repeatable)");
  command.add_option("--claim", flags.claims, "Custom claim KEY=VALUE (repeatable)");
  command.add_option("--expiry", flags.expiry, "Token lifetime in seconds (default 3600)")
      ->check(CLI::Range(std::int64_t{1}, std::int64_t{30} * 86400));
}

}  // namespace

void add_clients_commands(CLI::App& app, const Selected& selected) {
  CLI::App* clients = app.add_subcommand("clients", "Manage the API clients of an organization");
  clients->require_subcommand(1);

  auto c = std::make_shared<ClientFlags>();
  CLI::App* create_cmd = leaf(*clients, "create", "Register an API client", *c, false);
  add_details_options(*create_cmd, *c, true);
  on_parsed(*create_cmd, selected, [c] { return create(*c); });

  auto l = std::make_shared<ClientFlags>();
  CLI::App* list_cmd = leaf(*clients, "list", "List the API clients", *l, false);
  list_cmd->add_option("--page-size", l->page.page_size, "Items per page")
      ->check(CLI::Range(1, 1000));
  list_cmd->add_option("--page-token", l->page.page_token, "Page to show");
  list_cmd->add_flag("--all", l->all, "Fetch every page");
  on_parsed(*list_cmd, selected, [l] { return list(*l); });

  auto g = std::make_shared<ClientFlags>();
  CLI::App* get_cmd = leaf(*clients, "get", "Show an API client", *g, true);
  on_parsed(*get_cmd, selected, [g] { return get(*g); });

  auto u = std::make_shared<ClientFlags>();
  CLI::App* update_cmd = leaf(*clients, "update",
                              "Change an API client (--scope, --audience and --claim replace "
                              "the whole list)",
                              *u, true);
  add_details_options(*update_cmd, *u, false);
  on_parsed(*update_cmd, selected, [u, update_cmd] { return update(*u, *update_cmd); });

  auto d = std::make_shared<ClientFlags>();
  CLI::App* delete_cmd = leaf(*clients, "delete", "Delete an API client", *d, true);
  on_parsed(*delete_cmd, selected, [d] { return remove(*d); });
}

void add_secrets_commands(CLI::App& app, const Selected& selected) {
  CLI::App* secrets = app.add_subcommand("secrets", "Manage the secrets of an API client");
  secrets->require_subcommand(1);

  auto a = std::make_shared<ClientFlags>();
  CLI::App* add_cmd = leaf(*secrets, "add", "Add a secret (at most 5 per client)", *a, true);
  on_parsed(*add_cmd, selected, [a] { return add_secret(*a); });

  auto r = std::make_shared<ClientFlags>();
  CLI::App* remove_cmd = leaf(*secrets, "remove", "Remove a secret (not the last one)", *r, true);
  remove_cmd->add_option("SECRET_ID", r->secret_id, "Secret id (sks_...)")->required();
  on_parsed(*remove_cmd, selected, [r] { return remove_secret(*r); });
}

}  // namespace tessera::cli
