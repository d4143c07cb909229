// `tessera orgs create|list|get|update|delete`.
#include <iostream>

#include "cli/management.hpp"
#include "cli/output.hpp"

namespace tessera::cli {
namespace {

struct OrgFlags {
  CommonFlags common;
  std::string id;
  std::string name;
  std::string external_id;
  std::vector<std::string> metadata;
  client::PageRequest page;
  bool all = false;
};

using Flags = std::shared_ptr<OrgFlags>;

Result<std::map<std::string, std::string>, std::string> metadata_of(const OrgFlags& flags) {
  std::map<std::string, std::string> out;
  for (const auto& pair : flags.metadata) {
    auto split = split_pair(pair);
    if (!split) return fail("--metadata must be KEY=VALUE, got '" + pair + "'");
    out.insert_or_assign(split->first, split->second);
  }
  return out;
}

void print(const client::Organization& org, bool json) {
  if (json) return print_json(std::cout, {{"organization", to_json(org)}});
  print_fields(std::cout, fields_of(org));
}

int create(const OrgFlags& flags) {
  auto metadata = metadata_of(flags);
  if (!metadata) return usage_error("orgs create", metadata.error());
  return with_client("orgs create", flags.common, [&](const Client& tessera) {
    auto org = tessera.organizations().create_organization(
        {.display_name = flags.name, .external_id = flags.external_id, .metadata = *metadata});
    if (!org) return report("orgs create", org.error());
    print(*org, flags.common.json);
    return kExitOk;
  });
}

// One page, or every page with --all (then printed as one list without page tokens).
Result<client::Page<client::Organization>, client::Error> list_pages(const Client& tessera,
                                                                     const OrgFlags& flags) {
  auto page = tessera.organizations().list_organizations(flags.page);
  if (!page || !flags.all) return page;
  client::PageRequest next = flags.page;
  while (!page->next_page_token.empty()) {
    next.page_token = page->next_page_token;
    auto more = tessera.organizations().list_organizations(next);
    if (!more) return more;
    page->items.insert(page->items.end(), more->items.begin(), more->items.end());
    page->next_page_token = more->next_page_token;
  }
  page->prev_page_token.clear();
  return page;
}

int list(const OrgFlags& flags) {
  return with_client("orgs list", flags.common, [&](const Client& tessera) {
    auto page = list_pages(tessera, flags);
    if (!page) return report("orgs list", page.error());
    if (flags.common.json) {
      print_json(std::cout, page_json("organizations", *page));
      return kExitOk;
    }
    Table table({"ID", "DISPLAY NAME", "EXTERNAL ID", "CREATED"});
    for (const auto& org : page->items) {
      table.add({org.id, org.display_name, org.external_id.empty() ? "-" : org.external_id,
                 short_time(org.create_time)});
    }
    table.print(std::cout);
    std::cout << page->items.size() << " of " << page->total_size << " organizations\n";
    if (!page->next_page_token.empty()) {
      std::cout << "next page: --page-token " << page->next_page_token << "\n";
    }
    return kExitOk;
  });
}

int get(const OrgFlags& flags) {
  return with_client("orgs get", flags.common, [&](const Client& tessera) {
    auto org = tessera.organizations().get_organization(flags.id);
    if (!org) return report("orgs get", org.error());
    print(*org, flags.common.json);
    return kExitOk;
  });
}

int update(const OrgFlags& flags, const CLI::App& command) {
  auto metadata = metadata_of(flags);
  if (!metadata) return usage_error("orgs update", metadata.error());
  client::OrganizationUpdate change;
  if (command.count("--name") > 0) change.display_name = flags.name;
  if (command.count("--external-id") > 0) change.external_id = flags.external_id;
  if (!flags.metadata.empty()) change.metadata = *metadata;
  if (!change.display_name && !change.external_id && !change.metadata) {
    return usage_error("orgs update",
                       "nothing to change: give --name, --external-id or --metadata");
  }
  return with_client("orgs update", flags.common, [&](const Client& tessera) {
    auto org = tessera.organizations().update_organization(flags.id, change);
    if (!org) return report("orgs update", org.error());
    print(*org, flags.common.json);
    return kExitOk;
  });
}

int remove(const OrgFlags& flags) {
  return with_client("orgs delete", flags.common, [&](const Client& tessera) {
    auto deleted = tessera.organizations().delete_organization(flags.id);
    if (!deleted) return report("orgs delete", deleted.error());
    if (flags.common.json) {
      print_json(std::cout, Json::object());
    } else {
      std::cout << "Deleted organization " << flags.id << " (its clients stop working now)\n";
    }
    return kExitOk;
  });
}

void add_page_options(CLI::App& command, OrgFlags& flags) {
  command.add_option("--page-size", flags.page.page_size, "Items per page")
      ->check(CLI::Range(1, 1000));
  command.add_option("--page-token", flags.page.page_token, "Page to show (from a previous list)");
  command.add_flag("--all", flags.all, "Fetch every page");
}

}  // namespace

void add_orgs_commands(CLI::App& app, const Selected& selected) {
  CLI::App* orgs = app.add_subcommand("orgs", "Manage organizations");
  orgs->require_subcommand(1);

  auto f = std::make_shared<OrgFlags>();
  CLI::App* create_cmd = orgs->add_subcommand("create", "Create an organization");
  create_cmd->add_option("--name", f->name, "Display name (1-200 characters)")->required();
  create_cmd->add_option("--external-id", f->external_id, "Your own unique id for it");
  create_cmd->add_option("--metadata", f->metadata, "KEY=VALUE (repeatable, at most 10)");
  add_common_options(*create_cmd, f->common);
  on_parsed(*create_cmd, selected, [f] { return create(*f); });

  auto l = std::make_shared<OrgFlags>();
  CLI::App* list_cmd = orgs->add_subcommand("list", "List organizations");
  add_page_options(*list_cmd, *l);
  add_common_options(*list_cmd, l->common);
  on_parsed(*list_cmd, selected, [l] { return list(*l); });

  auto g = std::make_shared<OrgFlags>();
  CLI::App* get_cmd = orgs->add_subcommand("get", "Show an organization");
  get_cmd->add_option("ORG_ID", g->id, "Organization id (org_...)")->required();
  add_common_options(*get_cmd, g->common);
  on_parsed(*get_cmd, selected, [g] { return get(*g); });

  auto u = std::make_shared<OrgFlags>();
  CLI::App* update_cmd = orgs->add_subcommand("update", "Change an organization");
  update_cmd->add_option("ORG_ID", u->id, "Organization id (org_...)")->required();
  update_cmd->add_option("--name", u->name, "New display name");
  update_cmd->add_option("--external-id", u->external_id, "New external id");
  update_cmd->add_option("--metadata", u->metadata, "KEY=VALUE (repeatable; replaces all)");
  add_common_options(*update_cmd, u->common);
  on_parsed(*update_cmd, selected, [u, update_cmd] { return update(*u, *update_cmd); });

  auto d = std::make_shared<OrgFlags>();
  CLI::App* delete_cmd = orgs->add_subcommand("delete", "Delete an organization and its clients");
  delete_cmd->add_option("ORG_ID", d->id, "Organization id (org_...)")->required();
  add_common_options(*delete_cmd, d->common);
  on_parsed(*delete_cmd, selected, [d] { return remove(*d); });
}

}  // namespace tessera::cli
