# Print an optspec for argparse to handle cmd's options that are independent of any subcommand.
function __fish_socialcrm_global_optspecs
    string join \n database-url= config= o/output= v/verbose q/quiet no-progress csv-raw log-format= h/help V/version
end

function __fish_socialcrm_needs_command
    # Figure out if the current invocation already has a command.
    set -l cmd (commandline -opc)
    set -e cmd[1]
    argparse -s (__fish_socialcrm_global_optspecs) -- $cmd 2>/dev/null
    or return
    if set -q argv[1]
        # Also print the command, so this can be used to figure out what it is.
        echo $argv[1]
        return 1
    end
    return 0
end

function __fish_socialcrm_using_subcommand
    set -l cmd (__fish_socialcrm_needs_command)
    test -z "$cmd"
    and return 1
    contains -- $cmd[1] $argv
end

complete -c socialcrm -n "__fish_socialcrm_needs_command" -l database-url -d 'The CRM database: postgres://user@host/db for PostgreSQL, sqlite:PATH for another SQLite file [default: $XDG_DATA_HOME/socialcrm/crm.db]' -r
complete -c socialcrm -n "__fish_socialcrm_needs_command" -l config -d 'Config file to read [default: $XDG_CONFIG_HOME/socialcrm/config.toml]' -r -F
complete -c socialcrm -n "__fish_socialcrm_needs_command" -s o -l output -d 'How to print results [default: table]' -r -f -a "table\t'Aligned columns for people'
json\t'A JSON document with stable field names, for scripts'
csv\t'Comma-separated values with a header row, for spreadsheets'"
complete -c socialcrm -n "__fish_socialcrm_needs_command" -l log-format -d 'Log lines as text, or as JSON objects (one per line, with their spans) for log shippers' -r -f -a "text\t'Plain lines, for people'
json\t'One object per line, for log shippers'"
complete -c socialcrm -n "__fish_socialcrm_needs_command" -s v -l verbose -d 'More log output on stderr (-v info, -vv debug, -vvv trace)'
complete -c socialcrm -n "__fish_socialcrm_needs_command" -s q -l quiet -d 'Only errors on stderr'
complete -c socialcrm -n "__fish_socialcrm_needs_command" -l no-progress -d 'Never draw progress bars (they are only drawn when stderr is a terminal)'
complete -c socialcrm -n "__fish_socialcrm_needs_command" -l csv-raw -d 'Write CSV cells exactly as stored: by default a cell that a spreadsheet would run as a formula (starting with =, +, -, @, tab or CR, and not a plain number) gets a leading \''
complete -c socialcrm -n "__fish_socialcrm_needs_command" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c socialcrm -n "__fish_socialcrm_needs_command" -s V -l version -d 'Print version'
complete -c socialcrm -n "__fish_socialcrm_needs_command" -f -a "import-csv" -d 'Import a platform\'s CSV export into the CRM'
complete -c socialcrm -n "__fish_socialcrm_needs_command" -f -a "import-export" -d 'Restore a socialcrm JSON Lines export (fans, posts, messages, analytics) into the CRM'
complete -c socialcrm -n "__fish_socialcrm_needs_command" -f -a "connect" -d 'Connect an account by OAuth: browser, loopback redirect, tokens into the secrets store'
complete -c socialcrm -n "__fish_socialcrm_needs_command" -f -a "disconnect" -d 'Revoke an account\'s tokens at the platform, delete them, mark the connection revoked'
complete -c socialcrm -n "__fish_socialcrm_needs_command" -f -a "accounts" -d 'Connected accounts: platform, account, user, status, scopes, token expiry, last sync'
complete -c socialcrm -n "__fish_socialcrm_needs_command" -f -a "sync" -d 'Fetch what is new from connected accounts into the CRM (cron: `socialcrm sync --all`)'
complete -c socialcrm -n "__fish_socialcrm_needs_command" -f -a "insights" -d 'Metrics over time from the CRM: latest values, changes, top posts, and charts'
complete -c socialcrm -n "__fish_socialcrm_needs_command" -f -a "report" -d 'Write a self-contained HTML report per account: figures, curves, top posts, revenue'
complete -c socialcrm -n "__fish_socialcrm_needs_command" -f -a "upload" -d 'Post a video file (TikTok: Direct Post, or --draft to the creator\'s inbox; Instagram: a reel; X: a post)'
complete -c socialcrm -n "__fish_socialcrm_needs_command" -f -a "post" -d 'Write a post from a connected account (Reddit: a link or text post to a subreddit; X: text, media, replies)'
complete -c socialcrm -n "__fish_socialcrm_needs_command" -f -a "fans" -d 'Fans: followers, commenters, DM correspondents and subscribers'
complete -c socialcrm -n "__fish_socialcrm_needs_command" -f -a "segments" -d 'Saved fan filters and the built-in ones (whales, new, cold), counted live'
complete -c socialcrm -n "__fish_socialcrm_needs_command" -f -a "messages" -d 'DMs and comments'
complete -c socialcrm -n "__fish_socialcrm_needs_command" -f -a "people" -d 'People: one person\'s identities across platforms, suggested links, decisions, undo'
complete -c socialcrm -n "__fish_socialcrm_needs_command" -f -a "posts" -d 'Synced posts and their metrics over time'
complete -c socialcrm -n "__fish_socialcrm_needs_command" -f -a "export" -d 'Write whole tables to files, CSV or JSON Lines, from one consistent snapshot'
complete -c socialcrm -n "__fish_socialcrm_needs_command" -f -a "audit" -d 'The record of who did what when (connect, sync, import, ...)'
complete -c socialcrm -n "__fish_socialcrm_needs_command" -f -a "doctor" -d 'Check the setup: configuration, database, secrets, credentials, tokens, clocks'
complete -c socialcrm -n "__fish_socialcrm_needs_command" -f -a "db" -d 'The CRM database: schema migrations and status'
complete -c socialcrm -n "__fish_socialcrm_needs_command" -f -a "secrets" -d 'The stored tokens: recover from a lost master key (`secrets reset`)'
complete -c socialcrm -n "__fish_socialcrm_needs_command" -f -a "webhooks" -d 'Receive platform webhooks (TikTok, Instagram, X) and record them'
complete -c socialcrm -n "__fish_socialcrm_needs_command" -f -a "completions" -d 'Print a shell completion script'
complete -c socialcrm -n "__fish_socialcrm_needs_command" -f -a "man" -d 'Print the man page, or write all of them to a directory'
complete -c socialcrm -n "__fish_socialcrm_needs_command" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c socialcrm -n "__fish_socialcrm_using_subcommand import-csv" -l map -d 'Map a column the importer does not recognise to a field, e.g. --map "Fan handle=username"' -r
complete -c socialcrm -n "__fish_socialcrm_using_subcommand import-csv" -l date-format -d 'How to read numeric dates' -r -f -a "auto\t'ISO 8601 always; 11/01/2026 is month first, 01.11.2026 day first; unclear dates are errors'
iso\t'Year first only (2026-11-01)'
mdy\t'Month first (11/01/2026 is November 1st)'
dmy\t'Day first (01/11/2026 is November 1st)'"
complete -c socialcrm -n "__fish_socialcrm_using_subcommand import-csv" -l rejects -d 'Write rejected rows (line number, reason, original row) to this CSV file' -r -F
complete -c socialcrm -n "__fish_socialcrm_using_subcommand import-csv" -l account -d 'The creator whose export this is: the local account name its fans, messages and payments belong to (the same name as the creator\'s connections). Default `default`; required once the CRM holds OnlyFans data of more than one account' -r
complete -c socialcrm -n "__fish_socialcrm_using_subcommand import-csv" -l database-url -d 'The CRM database: postgres://user@host/db for PostgreSQL, sqlite:PATH for another SQLite file [default: $XDG_DATA_HOME/socialcrm/crm.db]' -r
complete -c socialcrm -n "__fish_socialcrm_using_subcommand import-csv" -l config -d 'Config file to read [default: $XDG_CONFIG_HOME/socialcrm/config.toml]' -r -F
complete -c socialcrm -n "__fish_socialcrm_using_subcommand import-csv" -s o -l output -d 'How to print results [default: table]' -r -f -a "table\t'Aligned columns for people'
json\t'A JSON document with stable field names, for scripts'
csv\t'Comma-separated values with a header row, for spreadsheets'"
complete -c socialcrm -n "__fish_socialcrm_using_subcommand import-csv" -l log-format -d 'Log lines as text, or as JSON objects (one per line, with their spans) for log shippers' -r -f -a "text\t'Plain lines, for people'
json\t'One object per line, for log shippers'"
complete -c socialcrm -n "__fish_socialcrm_using_subcommand import-csv" -l dry-run -d 'Check every row and report, writing nothing'
complete -c socialcrm -n "__fish_socialcrm_using_subcommand import-csv" -s v -l verbose -d 'More log output on stderr (-v info, -vv debug, -vvv trace)'
complete -c socialcrm -n "__fish_socialcrm_using_subcommand import-csv" -s q -l quiet -d 'Only errors on stderr'
complete -c socialcrm -n "__fish_socialcrm_using_subcommand import-csv" -l no-progress -d 'Never draw progress bars (they are only drawn when stderr is a terminal)'
complete -c socialcrm -n "__fish_socialcrm_using_subcommand import-csv" -l csv-raw -d 'Write CSV cells exactly as stored: by default a cell that a spreadsheet would run as a formula (starting with =, +, -, @, tab or CR, and not a plain number) gets a leading \''
complete -c socialcrm -n "__fish_socialcrm_using_subcommand import-csv" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c socialcrm -n "__fish_socialcrm_using_subcommand import-csv" -s V -l version -d 'Print version'
complete -c socialcrm -n "__fish_socialcrm_using_subcommand import-export" -s t -l table -d 'Restore only this table (repeatable): fans, fan_accounts, posts, messages, analytics_events. By default each of them whose TABLE.jsonl is in DIR' -r
complete -c socialcrm -n "__fish_socialcrm_using_subcommand import-export" -l database-url -d 'The CRM database: postgres://user@host/db for PostgreSQL, sqlite:PATH for another SQLite file [default: $XDG_DATA_HOME/socialcrm/crm.db]' -r
complete -c socialcrm -n "__fish_socialcrm_using_subcommand import-export" -l config -d 'Config file to read [default: $XDG_CONFIG_HOME/socialcrm/config.toml]' -r -F
complete -c socialcrm -n "__fish_socialcrm_using_subcommand import-export" -s o -l output -d 'How to print results [default: table]' -r -f -a "table\t'Aligned columns for people'
json\t'A JSON document with stable field names, for scripts'
csv\t'Comma-separated values with a header row, for spreadsheets'"
complete -c socialcrm -n "__fish_socialcrm_using_subcommand import-export" -l log-format -d 'Log lines as text, or as JSON objects (one per line, with their spans) for log shippers' -r -f -a "text\t'Plain lines, for people'
json\t'One object per line, for log shippers'"
complete -c socialcrm -n "__fish_socialcrm_using_subcommand import-export" -s v -l verbose -d 'More log output on stderr (-v info, -vv debug, -vvv trace)'
complete -c socialcrm -n "__fish_socialcrm_using_subcommand import-export" -s q -l quiet -d 'Only errors on stderr'
complete -c socialcrm -n "__fish_socialcrm_using_subcommand import-export" -l no-progress -d 'Never draw progress bars (they are only drawn when stderr is a terminal)'
complete -c socialcrm -n "__fish_socialcrm_using_subcommand import-export" -l csv-raw -d 'Write CSV cells exactly as stored: by default a cell that a spreadsheet would run as a formula (starting with =, +, -, @, tab or CR, and not a plain number) gets a leading \''
complete -c socialcrm -n "__fish_socialcrm_using_subcommand import-export" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c socialcrm -n "__fish_socialcrm_using_subcommand import-export" -s V -l version -d 'Print version'
complete -c socialcrm -n "__fish_socialcrm_using_subcommand connect" -l account -d 'A local name for this account, to connect several of one platform' -r
complete -c socialcrm -n "__fish_socialcrm_using_subcommand connect" -l port -d 'Listen for the redirect on this port of 127.0.0.1 (the redirect URI registered with the platform must allow it); default: the port of the configured redirect URI, else any' -r
complete -c socialcrm -n "__fish_socialcrm_using_subcommand connect" -l scope -d 'Ask for this scope (repeat for several); default: the platform\'s usual read scopes' -r
complete -c socialcrm -n "__fish_socialcrm_using_subcommand connect" -l timeout -d 'Give up waiting for the authorization after SECS seconds (1 to 86400)' -r
complete -c socialcrm -n "__fish_socialcrm_using_subcommand connect" -l database-url -d 'The CRM database: postgres://user@host/db for PostgreSQL, sqlite:PATH for another SQLite file [default: $XDG_DATA_HOME/socialcrm/crm.db]' -r
complete -c socialcrm -n "__fish_socialcrm_using_subcommand connect" -l config -d 'Config file to read [default: $XDG_CONFIG_HOME/socialcrm/config.toml]' -r -F
complete -c socialcrm -n "__fish_socialcrm_using_subcommand connect" -s o -l output -d 'How to print results [default: table]' -r -f -a "table\t'Aligned columns for people'
json\t'A JSON document with stable field names, for scripts'
csv\t'Comma-separated values with a header row, for spreadsheets'"
complete -c socialcrm -n "__fish_socialcrm_using_subcommand connect" -l log-format -d 'Log lines as text, or as JSON objects (one per line, with their spans) for log shippers' -r -f -a "text\t'Plain lines, for people'
json\t'One object per line, for log shippers'"
complete -c socialcrm -n "__fish_socialcrm_using_subcommand connect" -l no-browser -d 'Print the authorization URL instead of opening a browser; the listener still waits, and the address the browser ends on may be pasted on standard input (for a browser on another machine)'
complete -c socialcrm -n "__fish_socialcrm_using_subcommand connect" -l sandbox -d 'Use the platform\'s sandbox app (also TIKTOK_SANDBOX_MODE=true)'
complete -c socialcrm -n "__fish_socialcrm_using_subcommand connect" -s v -l verbose -d 'More log output on stderr (-v info, -vv debug, -vvv trace)'
complete -c socialcrm -n "__fish_socialcrm_using_subcommand connect" -s q -l quiet -d 'Only errors on stderr'
complete -c socialcrm -n "__fish_socialcrm_using_subcommand connect" -l no-progress -d 'Never draw progress bars (they are only drawn when stderr is a terminal)'
complete -c socialcrm -n "__fish_socialcrm_using_subcommand connect" -l csv-raw -d 'Write CSV cells exactly as stored: by default a cell that a spreadsheet would run as a formula (starting with =, +, -, @, tab or CR, and not a plain number) gets a leading \''
complete -c socialcrm -n "__fish_socialcrm_using_subcommand connect" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c socialcrm -n "__fish_socialcrm_using_subcommand connect" -s V -l version -d 'Print version'
complete -c socialcrm -n "__fish_socialcrm_using_subcommand disconnect" -l account -d 'The local name of the account' -r
complete -c socialcrm -n "__fish_socialcrm_using_subcommand disconnect" -l database-url -d 'The CRM database: postgres://user@host/db for PostgreSQL, sqlite:PATH for another SQLite file [default: $XDG_DATA_HOME/socialcrm/crm.db]' -r
complete -c socialcrm -n "__fish_socialcrm_using_subcommand disconnect" -l config -d 'Config file to read [default: $XDG_CONFIG_HOME/socialcrm/config.toml]' -r -F
complete -c socialcrm -n "__fish_socialcrm_using_subcommand disconnect" -s o -l output -d 'How to print results [default: table]' -r -f -a "table\t'Aligned columns for people'
json\t'A JSON document with stable field names, for scripts'
csv\t'Comma-separated values with a header row, for spreadsheets'"
complete -c socialcrm -n "__fish_socialcrm_using_subcommand disconnect" -l log-format -d 'Log lines as text, or as JSON objects (one per line, with their spans) for log shippers' -r -f -a "text\t'Plain lines, for people'
json\t'One object per line, for log shippers'"
complete -c socialcrm -n "__fish_socialcrm_using_subcommand disconnect" -l purge -d 'Also delete what the CRM holds from this account: its posts, analytics and sync state, and the platform\'s fans and messages when no other account of the platform is connected'
complete -c socialcrm -n "__fish_socialcrm_using_subcommand disconnect" -s v -l verbose -d 'More log output on stderr (-v info, -vv debug, -vvv trace)'
complete -c socialcrm -n "__fish_socialcrm_using_subcommand disconnect" -s q -l quiet -d 'Only errors on stderr'
complete -c socialcrm -n "__fish_socialcrm_using_subcommand disconnect" -l no-progress -d 'Never draw progress bars (they are only drawn when stderr is a terminal)'
complete -c socialcrm -n "__fish_socialcrm_using_subcommand disconnect" -l csv-raw -d 'Write CSV cells exactly as stored: by default a cell that a spreadsheet would run as a formula (starting with =, +, -, @, tab or CR, and not a plain number) gets a leading \''
complete -c socialcrm -n "__fish_socialcrm_using_subcommand disconnect" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c socialcrm -n "__fish_socialcrm_using_subcommand disconnect" -s V -l version -d 'Print version'
complete -c socialcrm -n "__fish_socialcrm_using_subcommand accounts" -l database-url -d 'The CRM database: postgres://user@host/db for PostgreSQL, sqlite:PATH for another SQLite file [default: $XDG_DATA_HOME/socialcrm/crm.db]' -r
complete -c socialcrm -n "__fish_socialcrm_using_subcommand accounts" -l config -d 'Config file to read [default: $XDG_CONFIG_HOME/socialcrm/config.toml]' -r -F
complete -c socialcrm -n "__fish_socialcrm_using_subcommand accounts" -s o -l output -d 'How to print results [default: table]' -r -f -a "table\t'Aligned columns for people'
json\t'A JSON document with stable field names, for scripts'
csv\t'Comma-separated values with a header row, for spreadsheets'"
complete -c socialcrm -n "__fish_socialcrm_using_subcommand accounts" -l log-format -d 'Log lines as text, or as JSON objects (one per line, with their spans) for log shippers' -r -f -a "text\t'Plain lines, for people'
json\t'One object per line, for log shippers'"
complete -c socialcrm -n "__fish_socialcrm_using_subcommand accounts" -l check -d 'Ask each platform who the stored token belongs to (refreshing tokens that are due), and mark connections whose grant is gone as needing `connect` again'
complete -c socialcrm -n "__fish_socialcrm_using_subcommand accounts" -s v -l verbose -d 'More log output on stderr (-v info, -vv debug, -vvv trace)'
complete -c socialcrm -n "__fish_socialcrm_using_subcommand accounts" -s q -l quiet -d 'Only errors on stderr'
complete -c socialcrm -n "__fish_socialcrm_using_subcommand accounts" -l no-progress -d 'Never draw progress bars (they are only drawn when stderr is a terminal)'
complete -c socialcrm -n "__fish_socialcrm_using_subcommand accounts" -l csv-raw -d 'Write CSV cells exactly as stored: by default a cell that a spreadsheet would run as a formula (starting with =, +, -, @, tab or CR, and not a plain number) gets a leading \''
complete -c socialcrm -n "__fish_socialcrm_using_subcommand accounts" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c socialcrm -n "__fish_socialcrm_using_subcommand accounts" -s V -l version -d 'Print version'
complete -c socialcrm -n "__fish_socialcrm_using_subcommand sync" -l account -d 'Only the account with this local name' -r
complete -c socialcrm -n "__fish_socialcrm_using_subcommand sync" -l limit -d 'With --history: how many runs to show' -r
complete -c socialcrm -n "__fish_socialcrm_using_subcommand sync" -l max-reads -d 'Read at most N billed resources per stream in this run (X bills each user, post and DM read); a stream that reaches it stops and the next run continues [default: the platform\'s read budget setting, X: 1000]' -r
complete -c socialcrm -n "__fish_socialcrm_using_subcommand sync" -l jobs -d 'Sync up to N accounts at once' -r
complete -c socialcrm -n "__fish_socialcrm_using_subcommand sync" -l database-url -d 'The CRM database: postgres://user@host/db for PostgreSQL, sqlite:PATH for another SQLite file [default: $XDG_DATA_HOME/socialcrm/crm.db]' -r
complete -c socialcrm -n "__fish_socialcrm_using_subcommand sync" -l config -d 'Config file to read [default: $XDG_CONFIG_HOME/socialcrm/config.toml]' -r -F
complete -c socialcrm -n "__fish_socialcrm_using_subcommand sync" -s o -l output -d 'How to print results [default: table]' -r -f -a "table\t'Aligned columns for people'
json\t'A JSON document with stable field names, for scripts'
csv\t'Comma-separated values with a header row, for spreadsheets'"
complete -c socialcrm -n "__fish_socialcrm_using_subcommand sync" -l log-format -d 'Log lines as text, or as JSON objects (one per line, with their spans) for log shippers' -r -f -a "text\t'Plain lines, for people'
json\t'One object per line, for log shippers'"
complete -c socialcrm -n "__fish_socialcrm_using_subcommand sync" -l all -d 'Every connected account of every platform (what cron runs)'
complete -c socialcrm -n "__fish_socialcrm_using_subcommand sync" -l full -d 'Re-read everything instead of only what is new since the last sync'
complete -c socialcrm -n "__fish_socialcrm_using_subcommand sync" -l history -d 'Show the latest sync runs (what cron did) instead of syncing'
complete -c socialcrm -n "__fish_socialcrm_using_subcommand sync" -s v -l verbose -d 'More log output on stderr (-v info, -vv debug, -vvv trace)'
complete -c socialcrm -n "__fish_socialcrm_using_subcommand sync" -s q -l quiet -d 'Only errors on stderr'
complete -c socialcrm -n "__fish_socialcrm_using_subcommand sync" -l no-progress -d 'Never draw progress bars (they are only drawn when stderr is a terminal)'
complete -c socialcrm -n "__fish_socialcrm_using_subcommand sync" -l csv-raw -d 'Write CSV cells exactly as stored: by default a cell that a spreadsheet would run as a formula (starting with =, +, -, @, tab or CR, and not a plain number) gets a leading \''
complete -c socialcrm -n "__fish_socialcrm_using_subcommand sync" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c socialcrm -n "__fish_socialcrm_using_subcommand sync" -s V -l version -d 'Print version'
complete -c socialcrm -n "__fish_socialcrm_using_subcommand insights; and not __fish_seen_subcommand_from attribution help" -l account -d 'Only this connected account (its local name)' -r
complete -c socialcrm -n "__fish_socialcrm_using_subcommand insights; and not __fish_seen_subcommand_from attribution help" -l from -d 'From this time: a date, RFC 3339, or 7d / 12h / 30m ago (default: 30d)' -r
complete -c socialcrm -n "__fish_socialcrm_using_subcommand insights; and not __fish_seen_subcommand_from attribution help" -l to -d 'Until this time, excluded (default: now)' -r
complete -c socialcrm -n "__fish_socialcrm_using_subcommand insights; and not __fish_seen_subcommand_from attribution help" -l metric -d 'Only this metric (repeat for several), e.g. follower_count, view_count' -r
complete -c socialcrm -n "__fish_socialcrm_using_subcommand insights; and not __fish_seen_subcommand_from attribution help" -l top -d 'How many top posts to show' -r
complete -c socialcrm -n "__fish_socialcrm_using_subcommand insights; and not __fish_seen_subcommand_from attribution help" -l database-url -d 'The CRM database: postgres://user@host/db for PostgreSQL, sqlite:PATH for another SQLite file [default: $XDG_DATA_HOME/socialcrm/crm.db]' -r
complete -c socialcrm -n "__fish_socialcrm_using_subcommand insights; and not __fish_seen_subcommand_from attribution help" -l config -d 'Config file to read [default: $XDG_CONFIG_HOME/socialcrm/config.toml]' -r -F
complete -c socialcrm -n "__fish_socialcrm_using_subcommand insights; and not __fish_seen_subcommand_from attribution help" -s o -l output -d 'How to print results [default: table]' -r -f -a "table\t'Aligned columns for people'
json\t'A JSON document with stable field names, for scripts'
csv\t'Comma-separated values with a header row, for spreadsheets'"
complete -c socialcrm -n "__fish_socialcrm_using_subcommand insights; and not __fish_seen_subcommand_from attribution help" -l log-format -d 'Log lines as text, or as JSON objects (one per line, with their spans) for log shippers' -r -f -a "text\t'Plain lines, for people'
json\t'One object per line, for log shippers'"
complete -c socialcrm -n "__fish_socialcrm_using_subcommand insights; and not __fish_seen_subcommand_from attribution help" -l refresh -d 'Sync the platform first, so the figures are current'
complete -c socialcrm -n "__fish_socialcrm_using_subcommand insights; and not __fish_seen_subcommand_from attribution help" -l chart -d 'Draw each metric over time (a sparkline per metric)'
complete -c socialcrm -n "__fish_socialcrm_using_subcommand insights; and not __fish_seen_subcommand_from attribution help" -s v -l verbose -d 'More log output on stderr (-v info, -vv debug, -vvv trace)'
complete -c socialcrm -n "__fish_socialcrm_using_subcommand insights; and not __fish_seen_subcommand_from attribution help" -s q -l quiet -d 'Only errors on stderr'
complete -c socialcrm -n "__fish_socialcrm_using_subcommand insights; and not __fish_seen_subcommand_from attribution help" -l no-progress -d 'Never draw progress bars (they are only drawn when stderr is a terminal)'
complete -c socialcrm -n "__fish_socialcrm_using_subcommand insights; and not __fish_seen_subcommand_from attribution help" -l csv-raw -d 'Write CSV cells exactly as stored: by default a cell that a spreadsheet would run as a formula (starting with =, +, -, @, tab or CR, and not a plain number) gets a leading \''
complete -c socialcrm -n "__fish_socialcrm_using_subcommand insights; and not __fish_seen_subcommand_from attribution help" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c socialcrm -n "__fish_socialcrm_using_subcommand insights; and not __fish_seen_subcommand_from attribution help" -s V -l version -d 'Print version'
complete -c socialcrm -n "__fish_socialcrm_using_subcommand insights; and not __fish_seen_subcommand_from attribution help" -a "attribution" -d 'Revenue and subscribers traced to posts, through OnlyFans tracking links: per source platform, per link (with the posts that carried it) and per post; revenue no post explains is its own "unattributed" line'
complete -c socialcrm -n "__fish_socialcrm_using_subcommand insights; and not __fish_seen_subcommand_from attribution help" -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c socialcrm -n "__fish_socialcrm_using_subcommand insights; and __fish_seen_subcommand_from attribution" -l account -d 'Only the tracking links of this account (its local name; the posts carrying them may be any account\'s)' -r
complete -c socialcrm -n "__fish_socialcrm_using_subcommand insights; and __fish_seen_subcommand_from attribution" -l from -d 'Only link statistics of periods starting at or after this time (default: every link\'s lifetime figures)' -r
complete -c socialcrm -n "__fish_socialcrm_using_subcommand insights; and __fish_seen_subcommand_from attribution" -l to -d 'Only link statistics of periods starting before this time' -r
complete -c socialcrm -n "__fish_socialcrm_using_subcommand insights; and __fish_seen_subcommand_from attribution" -l database-url -d 'The CRM database: postgres://user@host/db for PostgreSQL, sqlite:PATH for another SQLite file [default: $XDG_DATA_HOME/socialcrm/crm.db]' -r
complete -c socialcrm -n "__fish_socialcrm_using_subcommand insights; and __fish_seen_subcommand_from attribution" -l config -d 'Config file to read [default: $XDG_CONFIG_HOME/socialcrm/config.toml]' -r -F
complete -c socialcrm -n "__fish_socialcrm_using_subcommand insights; and __fish_seen_subcommand_from attribution" -s o -l output -d 'How to print results [default: table]' -r -f -a "table\t'Aligned columns for people'
json\t'A JSON document with stable field names, for scripts'
csv\t'Comma-separated values with a header row, for spreadsheets'"
complete -c socialcrm -n "__fish_socialcrm_using_subcommand insights; and __fish_seen_subcommand_from attribution" -l log-format -d 'Log lines as text, or as JSON objects (one per line, with their spans) for log shippers' -r -f -a "text\t'Plain lines, for people'
json\t'One object per line, for log shippers'"
complete -c socialcrm -n "__fish_socialcrm_using_subcommand insights; and __fish_seen_subcommand_from attribution" -s v -l verbose -d 'More log output on stderr (-v info, -vv debug, -vvv trace)'
complete -c socialcrm -n "__fish_socialcrm_using_subcommand insights; and __fish_seen_subcommand_from attribution" -s q -l quiet -d 'Only errors on stderr'
complete -c socialcrm -n "__fish_socialcrm_using_subcommand insights; and __fish_seen_subcommand_from attribution" -l no-progress -d 'Never draw progress bars (they are only drawn when stderr is a terminal)'
complete -c socialcrm -n "__fish_socialcrm_using_subcommand insights; and __fish_seen_subcommand_from attribution" -l csv-raw -d 'Write CSV cells exactly as stored: by default a cell that a spreadsheet would run as a formula (starting with =, +, -, @, tab or CR, and not a plain number) gets a leading \''
complete -c socialcrm -n "__fish_socialcrm_using_subcommand insights; and __fish_seen_subcommand_from attribution" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c socialcrm -n "__fish_socialcrm_using_subcommand insights; and __fish_seen_subcommand_from attribution" -s V -l version -d 'Print version'
complete -c socialcrm -n "__fish_socialcrm_using_subcommand insights; and __fish_seen_subcommand_from help" -f -a "attribution" -d 'Revenue and subscribers traced to posts, through OnlyFans tracking links: per source platform, per link (with the posts that carried it) and per post; revenue no post explains is its own "unattributed" line'
complete -c socialcrm -n "__fish_socialcrm_using_subcommand insights; and __fish_seen_subcommand_from help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c socialcrm -n "__fish_socialcrm_using_subcommand report" -l account -d 'Only this connected account (its local name; repeat for several, which adds an agency overview). Default: every account in the CRM' -r
complete -c socialcrm -n "__fish_socialcrm_using_subcommand report" -l from -d 'From this time: a date, RFC 3339, or 7d / 12h / 30m ago (default: 30d)' -r
complete -c socialcrm -n "__fish_socialcrm_using_subcommand report" -l to -d 'Until this time, excluded (default: now)' -r
complete -c socialcrm -n "__fish_socialcrm_using_subcommand report" -l out -d 'Write the page here, or - for standard output [default: socialcrm-report-<account>-<from>-<to>.html in the current directory]' -r -F
complete -c socialcrm -n "__fish_socialcrm_using_subcommand report" -l top -d 'How many top posts and top fans to show' -r
complete -c socialcrm -n "__fish_socialcrm_using_subcommand report" -l database-url -d 'The CRM database: postgres://user@host/db for PostgreSQL, sqlite:PATH for another SQLite file [default: $XDG_DATA_HOME/socialcrm/crm.db]' -r
complete -c socialcrm -n "__fish_socialcrm_using_subcommand report" -l config -d 'Config file to read [default: $XDG_CONFIG_HOME/socialcrm/config.toml]' -r -F
complete -c socialcrm -n "__fish_socialcrm_using_subcommand report" -s o -l output -d 'How to print results [default: table]' -r -f -a "table\t'Aligned columns for people'
json\t'A JSON document with stable field names, for scripts'
csv\t'Comma-separated values with a header row, for spreadsheets'"
complete -c socialcrm -n "__fish_socialcrm_using_subcommand report" -l log-format -d 'Log lines as text, or as JSON objects (one per line, with their spans) for log shippers' -r -f -a "text\t'Plain lines, for people'
json\t'One object per line, for log shippers'"
complete -c socialcrm -n "__fish_socialcrm_using_subcommand report" -l open -d 'Open the written page in the browser ($BROWSER, else the desktop\'s opener)'
complete -c socialcrm -n "__fish_socialcrm_using_subcommand report" -s v -l verbose -d 'More log output on stderr (-v info, -vv debug, -vvv trace)'
complete -c socialcrm -n "__fish_socialcrm_using_subcommand report" -s q -l quiet -d 'Only errors on stderr'
complete -c socialcrm -n "__fish_socialcrm_using_subcommand report" -l no-progress -d 'Never draw progress bars (they are only drawn when stderr is a terminal)'
complete -c socialcrm -n "__fish_socialcrm_using_subcommand report" -l csv-raw -d 'Write CSV cells exactly as stored: by default a cell that a spreadsheet would run as a formula (starting with =, +, -, @, tab or CR, and not a plain number) gets a leading \''
complete -c socialcrm -n "__fish_socialcrm_using_subcommand report" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c socialcrm -n "__fish_socialcrm_using_subcommand report" -s V -l version -d 'Print version'
complete -c socialcrm -n "__fish_socialcrm_using_subcommand upload" -l caption -d 'The post\'s caption (TikTok: the title, hashtags and mentions included)' -r
complete -c socialcrm -n "__fish_socialcrm_using_subcommand upload" -l privacy -d 'Who may watch; must be one the account allows [default: private]' -r -f -a "public\t'Everyone (PUBLIC_TO_EVERYONE)'
friends\t'Mutual followers (MUTUAL_FOLLOW_FRIENDS)'
followers\t'Followers (FOLLOWER_OF_CREATOR)'
private\t'Only the creator (SELF_ONLY); the only level unaudited apps may post'"
complete -c socialcrm -n "__fish_socialcrm_using_subcommand upload" -l account -d 'The local name of the account to post from' -r
complete -c socialcrm -n "__fish_socialcrm_using_subcommand upload" -l chunk-size -d 'Bytes per chunk (5 MiB to 64,000,000; the last chunk takes the rest)' -r
complete -c socialcrm -n "__fish_socialcrm_using_subcommand upload" -l wait -d 'Longest wait for the platform to finish processing the file (TikTok, Instagram and X process uploads before they are published), in seconds (at most 86400)' -r
complete -c socialcrm -n "__fish_socialcrm_using_subcommand upload" -l database-url -d 'The CRM database: postgres://user@host/db for PostgreSQL, sqlite:PATH for another SQLite file [default: $XDG_DATA_HOME/socialcrm/crm.db]' -r
complete -c socialcrm -n "__fish_socialcrm_using_subcommand upload" -l config -d 'Config file to read [default: $XDG_CONFIG_HOME/socialcrm/config.toml]' -r -F
complete -c socialcrm -n "__fish_socialcrm_using_subcommand upload" -s o -l output -d 'How to print results [default: table]' -r -f -a "table\t'Aligned columns for people'
json\t'A JSON document with stable field names, for scripts'
csv\t'Comma-separated values with a header row, for spreadsheets'"
complete -c socialcrm -n "__fish_socialcrm_using_subcommand upload" -l log-format -d 'Log lines as text, or as JSON objects (one per line, with their spans) for log shippers' -r -f -a "text\t'Plain lines, for people'
json\t'One object per line, for log shippers'"
complete -c socialcrm -n "__fish_socialcrm_using_subcommand upload" -l draft -d 'Send to the creator\'s TikTok inbox instead of posting; they finish the post in the app'
complete -c socialcrm -n "__fish_socialcrm_using_subcommand upload" -l no-wait -d 'Return once the file is sent, printing the publish id, instead of waiting for the result'
complete -c socialcrm -n "__fish_socialcrm_using_subcommand upload" -l force -d 'Post again even if the ledger says this file was already posted from this account'
complete -c socialcrm -n "__fish_socialcrm_using_subcommand upload" -s v -l verbose -d 'More log output on stderr (-v info, -vv debug, -vvv trace)'
complete -c socialcrm -n "__fish_socialcrm_using_subcommand upload" -s q -l quiet -d 'Only errors on stderr'
complete -c socialcrm -n "__fish_socialcrm_using_subcommand upload" -l no-progress -d 'Never draw progress bars (they are only drawn when stderr is a terminal)'
complete -c socialcrm -n "__fish_socialcrm_using_subcommand upload" -l csv-raw -d 'Write CSV cells exactly as stored: by default a cell that a spreadsheet would run as a formula (starting with =, +, -, @, tab or CR, and not a plain number) gets a leading \''
complete -c socialcrm -n "__fish_socialcrm_using_subcommand upload" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c socialcrm -n "__fish_socialcrm_using_subcommand upload" -s V -l version -d 'Print version'
complete -c socialcrm -n "__fish_socialcrm_using_subcommand post; and not __fish_seen_subcommand_from x reddit help" -l database-url -d 'The CRM database: postgres://user@host/db for PostgreSQL, sqlite:PATH for another SQLite file [default: $XDG_DATA_HOME/socialcrm/crm.db]' -r
complete -c socialcrm -n "__fish_socialcrm_using_subcommand post; and not __fish_seen_subcommand_from x reddit help" -l config -d 'Config file to read [default: $XDG_CONFIG_HOME/socialcrm/config.toml]' -r -F
complete -c socialcrm -n "__fish_socialcrm_using_subcommand post; and not __fish_seen_subcommand_from x reddit help" -s o -l output -d 'How to print results [default: table]' -r -f -a "table\t'Aligned columns for people'
json\t'A JSON document with stable field names, for scripts'
csv\t'Comma-separated values with a header row, for spreadsheets'"
complete -c socialcrm -n "__fish_socialcrm_using_subcommand post; and not __fish_seen_subcommand_from x reddit help" -l log-format -d 'Log lines as text, or as JSON objects (one per line, with their spans) for log shippers' -r -f -a "text\t'Plain lines, for people'
json\t'One object per line, for log shippers'"
complete -c socialcrm -n "__fish_socialcrm_using_subcommand post; and not __fish_seen_subcommand_from x reddit help" -s v -l verbose -d 'More log output on stderr (-v info, -vv debug, -vvv trace)'
complete -c socialcrm -n "__fish_socialcrm_using_subcommand post; and not __fish_seen_subcommand_from x reddit help" -s q -l quiet -d 'Only errors on stderr'
complete -c socialcrm -n "__fish_socialcrm_using_subcommand post; and not __fish_seen_subcommand_from x reddit help" -l no-progress -d 'Never draw progress bars (they are only drawn when stderr is a terminal)'
complete -c socialcrm -n "__fish_socialcrm_using_subcommand post; and not __fish_seen_subcommand_from x reddit help" -l csv-raw -d 'Write CSV cells exactly as stored: by default a cell that a spreadsheet would run as a formula (starting with =, +, -, @, tab or CR, and not a plain number) gets a leading \''
complete -c socialcrm -n "__fish_socialcrm_using_subcommand post; and not __fish_seen_subcommand_from x reddit help" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c socialcrm -n "__fish_socialcrm_using_subcommand post; and not __fish_seen_subcommand_from x reddit help" -s V -l version -d 'Print version'
complete -c socialcrm -n "__fish_socialcrm_using_subcommand post; and not __fish_seen_subcommand_from x reddit help" -f -a "x" -d 'Post to X: text, up to four media files, or a reply; prints the post\'s URL'
complete -c socialcrm -n "__fish_socialcrm_using_subcommand post; and not __fish_seen_subcommand_from x reddit help" -f -a "reddit" -d 'Submit a link or text post to a subreddit, with a title and optionally a flair'
complete -c socialcrm -n "__fish_socialcrm_using_subcommand post; and not __fish_seen_subcommand_from x reddit help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c socialcrm -n "__fish_socialcrm_using_subcommand post; and __fish_seen_subcommand_from x" -l media -d 'A media file to attach (repeat for up to four)' -r -F
complete -c socialcrm -n "__fish_socialcrm_using_subcommand post; and __fish_seen_subcommand_from x" -l reply-to -d 'Post as a reply to the post with this id' -r
complete -c socialcrm -n "__fish_socialcrm_using_subcommand post; and __fish_seen_subcommand_from x" -l account -d 'The local name of the account to post from' -r
complete -c socialcrm -n "__fish_socialcrm_using_subcommand post; and __fish_seen_subcommand_from x" -l wait -d 'Longest wait for X to process a video, in seconds (at most 86400)' -r
complete -c socialcrm -n "__fish_socialcrm_using_subcommand post; and __fish_seen_subcommand_from x" -l database-url -d 'The CRM database: postgres://user@host/db for PostgreSQL, sqlite:PATH for another SQLite file [default: $XDG_DATA_HOME/socialcrm/crm.db]' -r
complete -c socialcrm -n "__fish_socialcrm_using_subcommand post; and __fish_seen_subcommand_from x" -l config -d 'Config file to read [default: $XDG_CONFIG_HOME/socialcrm/config.toml]' -r -F
complete -c socialcrm -n "__fish_socialcrm_using_subcommand post; and __fish_seen_subcommand_from x" -s o -l output -d 'How to print results [default: table]' -r -f -a "table\t'Aligned columns for people'
json\t'A JSON document with stable field names, for scripts'
csv\t'Comma-separated values with a header row, for spreadsheets'"
complete -c socialcrm -n "__fish_socialcrm_using_subcommand post; and __fish_seen_subcommand_from x" -l log-format -d 'Log lines as text, or as JSON objects (one per line, with their spans) for log shippers' -r -f -a "text\t'Plain lines, for people'
json\t'One object per line, for log shippers'"
complete -c socialcrm -n "__fish_socialcrm_using_subcommand post; and __fish_seen_subcommand_from x" -s v -l verbose -d 'More log output on stderr (-v info, -vv debug, -vvv trace)'
complete -c socialcrm -n "__fish_socialcrm_using_subcommand post; and __fish_seen_subcommand_from x" -s q -l quiet -d 'Only errors on stderr'
complete -c socialcrm -n "__fish_socialcrm_using_subcommand post; and __fish_seen_subcommand_from x" -l no-progress -d 'Never draw progress bars (they are only drawn when stderr is a terminal)'
complete -c socialcrm -n "__fish_socialcrm_using_subcommand post; and __fish_seen_subcommand_from x" -l csv-raw -d 'Write CSV cells exactly as stored: by default a cell that a spreadsheet would run as a formula (starting with =, +, -, @, tab or CR, and not a plain number) gets a leading \''
complete -c socialcrm -n "__fish_socialcrm_using_subcommand post; and __fish_seen_subcommand_from x" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c socialcrm -n "__fish_socialcrm_using_subcommand post; and __fish_seen_subcommand_from x" -s V -l version -d 'Print version'
complete -c socialcrm -n "__fish_socialcrm_using_subcommand post; and __fish_seen_subcommand_from reddit" -l subreddit -d 'The community to post in, without `r/`' -r
complete -c socialcrm -n "__fish_socialcrm_using_subcommand post; and __fish_seen_subcommand_from reddit" -l title -d 'The post\'s title (at most 300 characters)' -r
complete -c socialcrm -n "__fish_socialcrm_using_subcommand post; and __fish_seen_subcommand_from reddit" -l url -d 'A link post to this address' -r
complete -c socialcrm -n "__fish_socialcrm_using_subcommand post; and __fish_seen_subcommand_from reddit" -l text -d 'A text post with this body (Markdown)' -r
complete -c socialcrm -n "__fish_socialcrm_using_subcommand post; and __fish_seen_subcommand_from reddit" -l text-file -d 'A text post whose body is read from FILE (`-` for standard input)' -r -F
complete -c socialcrm -n "__fish_socialcrm_using_subcommand post; and __fish_seen_subcommand_from reddit" -l flair-id -d 'The id of one of the community\'s link flair templates' -r
complete -c socialcrm -n "__fish_socialcrm_using_subcommand post; and __fish_seen_subcommand_from reddit" -l flair -d 'A link flair by its text, looked up among the community\'s flair templates' -r
complete -c socialcrm -n "__fish_socialcrm_using_subcommand post; and __fish_seen_subcommand_from reddit" -l account -d 'The local name of the account to post from' -r
complete -c socialcrm -n "__fish_socialcrm_using_subcommand post; and __fish_seen_subcommand_from reddit" -l database-url -d 'The CRM database: postgres://user@host/db for PostgreSQL, sqlite:PATH for another SQLite file [default: $XDG_DATA_HOME/socialcrm/crm.db]' -r
complete -c socialcrm -n "__fish_socialcrm_using_subcommand post; and __fish_seen_subcommand_from reddit" -l config -d 'Config file to read [default: $XDG_CONFIG_HOME/socialcrm/config.toml]' -r -F
complete -c socialcrm -n "__fish_socialcrm_using_subcommand post; and __fish_seen_subcommand_from reddit" -s o -l output -d 'How to print results [default: table]' -r -f -a "table\t'Aligned columns for people'
json\t'A JSON document with stable field names, for scripts'
csv\t'Comma-separated values with a header row, for spreadsheets'"
complete -c socialcrm -n "__fish_socialcrm_using_subcommand post; and __fish_seen_subcommand_from reddit" -l log-format -d 'Log lines as text, or as JSON objects (one per line, with their spans) for log shippers' -r -f -a "text\t'Plain lines, for people'
json\t'One object per line, for log shippers'"
complete -c socialcrm -n "__fish_socialcrm_using_subcommand post; and __fish_seen_subcommand_from reddit" -l nsfw -d 'Mark the post NSFW'
complete -c socialcrm -n "__fish_socialcrm_using_subcommand post; and __fish_seen_subcommand_from reddit" -l spoiler -d 'Mark the post as a spoiler'
complete -c socialcrm -n "__fish_socialcrm_using_subcommand post; and __fish_seen_subcommand_from reddit" -s v -l verbose -d 'More log output on stderr (-v info, -vv debug, -vvv trace)'
complete -c socialcrm -n "__fish_socialcrm_using_subcommand post; and __fish_seen_subcommand_from reddit" -s q -l quiet -d 'Only errors on stderr'
complete -c socialcrm -n "__fish_socialcrm_using_subcommand post; and __fish_seen_subcommand_from reddit" -l no-progress -d 'Never draw progress bars (they are only drawn when stderr is a terminal)'
complete -c socialcrm -n "__fish_socialcrm_using_subcommand post; and __fish_seen_subcommand_from reddit" -l csv-raw -d 'Write CSV cells exactly as stored: by default a cell that a spreadsheet would run as a formula (starting with =, +, -, @, tab or CR, and not a plain number) gets a leading \''
complete -c socialcrm -n "__fish_socialcrm_using_subcommand post; and __fish_seen_subcommand_from reddit" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c socialcrm -n "__fish_socialcrm_using_subcommand post; and __fish_seen_subcommand_from reddit" -s V -l version -d 'Print version'
complete -c socialcrm -n "__fish_socialcrm_using_subcommand post; and __fish_seen_subcommand_from help" -f -a "x" -d 'Post to X: text, up to four media files, or a reply; prints the post\'s URL'
complete -c socialcrm -n "__fish_socialcrm_using_subcommand post; and __fish_seen_subcommand_from help" -f -a "reddit" -d 'Submit a link or text post to a subreddit, with a title and optionally a flair'
complete -c socialcrm -n "__fish_socialcrm_using_subcommand post; and __fish_seen_subcommand_from help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c socialcrm -n "__fish_socialcrm_using_subcommand fans; and not __fish_seen_subcommand_from list show tag untag note delete help" -l database-url -d 'The CRM database: postgres://user@host/db for PostgreSQL, sqlite:PATH for another SQLite file [default: $XDG_DATA_HOME/socialcrm/crm.db]' -r
complete -c socialcrm -n "__fish_socialcrm_using_subcommand fans; and not __fish_seen_subcommand_from list show tag untag note delete help" -l config -d 'Config file to read [default: $XDG_CONFIG_HOME/socialcrm/config.toml]' -r -F
complete -c socialcrm -n "__fish_socialcrm_using_subcommand fans; and not __fish_seen_subcommand_from list show tag untag note delete help" -s o -l output -d 'How to print results [default: table]' -r -f -a "table\t'Aligned columns for people'
json\t'A JSON document with stable field names, for scripts'
csv\t'Comma-separated values with a header row, for spreadsheets'"
complete -c socialcrm -n "__fish_socialcrm_using_subcommand fans; and not __fish_seen_subcommand_from list show tag untag note delete help" -l log-format -d 'Log lines as text, or as JSON objects (one per line, with their spans) for log shippers' -r -f -a "text\t'Plain lines, for people'
json\t'One object per line, for log shippers'"
complete -c socialcrm -n "__fish_socialcrm_using_subcommand fans; and not __fish_seen_subcommand_from list show tag untag note delete help" -s v -l verbose -d 'More log output on stderr (-v info, -vv debug, -vvv trace)'
complete -c socialcrm -n "__fish_socialcrm_using_subcommand fans; and not __fish_seen_subcommand_from list show tag untag note delete help" -s q -l quiet -d 'Only errors on stderr'
complete -c socialcrm -n "__fish_socialcrm_using_subcommand fans; and not __fish_seen_subcommand_from list show tag untag note delete help" -l no-progress -d 'Never draw progress bars (they are only drawn when stderr is a terminal)'
complete -c socialcrm -n "__fish_socialcrm_using_subcommand fans; and not __fish_seen_subcommand_from list show tag untag note delete help" -l csv-raw -d 'Write CSV cells exactly as stored: by default a cell that a spreadsheet would run as a formula (starting with =, +, -, @, tab or CR, and not a plain number) gets a leading \''
complete -c socialcrm -n "__fish_socialcrm_using_subcommand fans; and not __fish_seen_subcommand_from list show tag untag note delete help" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c socialcrm -n "__fish_socialcrm_using_subcommand fans; and not __fish_seen_subcommand_from list show tag untag note delete help" -s V -l version -d 'Print version'
complete -c socialcrm -n "__fish_socialcrm_using_subcommand fans; and not __fish_seen_subcommand_from list show tag untag note delete help" -f -a "list" -d 'List fan relationships (one row per fan and account), a page at a time'
complete -c socialcrm -n "__fish_socialcrm_using_subcommand fans; and not __fish_seen_subcommand_from list show tag untag note delete help" -f -a "show" -d 'Show one fan: the identity, each account\'s relationship, their sum and latest messages'
complete -c socialcrm -n "__fish_socialcrm_using_subcommand fans; and not __fish_seen_subcommand_from list show tag untag note delete help" -f -a "tag" -d 'Tag a fan (idempotent: a tag already there stays as it was)'
complete -c socialcrm -n "__fish_socialcrm_using_subcommand fans; and not __fish_seen_subcommand_from list show tag untag note delete help" -f -a "untag" -d 'Take tags off a fan (idempotent: a tag that is not there is no error)'
complete -c socialcrm -n "__fish_socialcrm_using_subcommand fans; and not __fish_seen_subcommand_from list show tag untag note delete help" -f -a "note" -d 'Add a note to a fan: append-only, stamped with the time and the operator'
complete -c socialcrm -n "__fish_socialcrm_using_subcommand fans; and not __fish_seen_subcommand_from list show tag untag note delete help" -f -a "delete" -d 'Erase a fan: every row about them, in one transaction (a deletion request)'
complete -c socialcrm -n "__fish_socialcrm_using_subcommand fans; and not __fish_seen_subcommand_from list show tag untag note delete help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c socialcrm -n "__fish_socialcrm_using_subcommand fans; and __fish_seen_subcommand_from list" -s p -l platform -d 'Only fans on this platform' -r -f -a "tiktok\t''
instagram\t''
reddit\t''
x\t''
onlyfans\t''"
complete -c socialcrm -n "__fish_socialcrm_using_subcommand fans; and __fish_seen_subcommand_from list" -s a -l account -d 'Only relationships with this account (the creator\'s local name, as for connect)' -r
complete -c socialcrm -n "__fish_socialcrm_using_subcommand fans; and __fish_seen_subcommand_from list" -l status -d 'Only relationships with this status (e.g. active, expired; OnlyFans statuses are stored lowercase)' -r
complete -c socialcrm -n "__fish_socialcrm_using_subcommand fans; and __fish_seen_subcommand_from list" -l min-spend -d 'Only relationships with a lifetime spend of at least AMOUNT (major units: 12.50)' -r
complete -c socialcrm -n "__fish_socialcrm_using_subcommand fans; and __fish_seen_subcommand_from list" -l max-spend -d 'Only relationships with a lifetime spend of at most AMOUNT (major units: 12.50)' -r
complete -c socialcrm -n "__fish_socialcrm_using_subcommand fans; and __fish_seen_subcommand_from list" -s s -l search -d 'Only fans whose username, display name or platform id contains TEXT (any case)' -r
complete -c socialcrm -n "__fish_socialcrm_using_subcommand fans; and __fish_seen_subcommand_from list" -l since -d 'Only fans last seen at or after this date (2026-11-01, RFC 3339, or 7d/12h ago)' -r
complete -c socialcrm -n "__fish_socialcrm_using_subcommand fans; and __fish_seen_subcommand_from list" -l until -d 'Only fans last seen before this date' -r
complete -c socialcrm -n "__fish_socialcrm_using_subcommand fans; and __fish_seen_subcommand_from list" -l tag -d 'Only fans tagged TAG (for the relationship\'s account or for every account); repeat to require all of them' -r
complete -c socialcrm -n "__fish_socialcrm_using_subcommand fans; and __fish_seen_subcommand_from list" -l segment -d 'Only the members of this segment: a saved one (`segments list`) or a built-in one (whales, new, cold), combined with the other filters' -r
complete -c socialcrm -n "__fish_socialcrm_using_subcommand fans; and __fish_seen_subcommand_from list" -l sort -d 'Order rows by this value, then by relationship id' -r -f -a "spend\t'Lifetime spend (exact cents; the currency is not converted)'
last-seen\t'When the fan was last seen by the account'
first-seen\t'When the fan was first seen by the account'
username\t'The fan\'s username (as stored, byte order)'"
complete -c socialcrm -n "__fish_socialcrm_using_subcommand fans; and __fish_seen_subcommand_from list" -l limit -d 'Most rows to print (1 to 10000)' -r
complete -c socialcrm -n "__fish_socialcrm_using_subcommand fans; and __fish_seen_subcommand_from list" -l after -d 'Continue after the row with this id (the `id` of the last row printed)' -r
complete -c socialcrm -n "__fish_socialcrm_using_subcommand fans; and __fish_seen_subcommand_from list" -l database-url -d 'The CRM database: postgres://user@host/db for PostgreSQL, sqlite:PATH for another SQLite file [default: $XDG_DATA_HOME/socialcrm/crm.db]' -r
complete -c socialcrm -n "__fish_socialcrm_using_subcommand fans; and __fish_seen_subcommand_from list" -l config -d 'Config file to read [default: $XDG_CONFIG_HOME/socialcrm/config.toml]' -r -F
complete -c socialcrm -n "__fish_socialcrm_using_subcommand fans; and __fish_seen_subcommand_from list" -s o -l output -d 'How to print results [default: table]' -r -f -a "table\t'Aligned columns for people'
json\t'A JSON document with stable field names, for scripts'
csv\t'Comma-separated values with a header row, for spreadsheets'"
complete -c socialcrm -n "__fish_socialcrm_using_subcommand fans; and __fish_seen_subcommand_from list" -l log-format -d 'Log lines as text, or as JSON objects (one per line, with their spans) for log shippers' -r -f -a "text\t'Plain lines, for people'
json\t'One object per line, for log shippers'"
complete -c socialcrm -n "__fish_socialcrm_using_subcommand fans; and __fish_seen_subcommand_from list" -l desc -d 'Largest (latest) first'
complete -c socialcrm -n "__fish_socialcrm_using_subcommand fans; and __fish_seen_subcommand_from list" -s v -l verbose -d 'More log output on stderr (-v info, -vv debug, -vvv trace)'
complete -c socialcrm -n "__fish_socialcrm_using_subcommand fans; and __fish_seen_subcommand_from list" -s q -l quiet -d 'Only errors on stderr'
complete -c socialcrm -n "__fish_socialcrm_using_subcommand fans; and __fish_seen_subcommand_from list" -l no-progress -d 'Never draw progress bars (they are only drawn when stderr is a terminal)'
complete -c socialcrm -n "__fish_socialcrm_using_subcommand fans; and __fish_seen_subcommand_from list" -l csv-raw -d 'Write CSV cells exactly as stored: by default a cell that a spreadsheet would run as a formula (starting with =, +, -, @, tab or CR, and not a plain number) gets a leading \''
complete -c socialcrm -n "__fish_socialcrm_using_subcommand fans; and __fish_seen_subcommand_from list" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c socialcrm -n "__fish_socialcrm_using_subcommand fans; and __fish_seen_subcommand_from list" -s V -l version -d 'Print version'
complete -c socialcrm -n "__fish_socialcrm_using_subcommand fans; and __fish_seen_subcommand_from show" -l messages -d 'How many of the latest messages to show' -r
complete -c socialcrm -n "__fish_socialcrm_using_subcommand fans; and __fish_seen_subcommand_from show" -l database-url -d 'The CRM database: postgres://user@host/db for PostgreSQL, sqlite:PATH for another SQLite file [default: $XDG_DATA_HOME/socialcrm/crm.db]' -r
complete -c socialcrm -n "__fish_socialcrm_using_subcommand fans; and __fish_seen_subcommand_from show" -l config -d 'Config file to read [default: $XDG_CONFIG_HOME/socialcrm/config.toml]' -r -F
complete -c socialcrm -n "__fish_socialcrm_using_subcommand fans; and __fish_seen_subcommand_from show" -s o -l output -d 'How to print results [default: table]' -r -f -a "table\t'Aligned columns for people'
json\t'A JSON document with stable field names, for scripts'
csv\t'Comma-separated values with a header row, for spreadsheets'"
complete -c socialcrm -n "__fish_socialcrm_using_subcommand fans; and __fish_seen_subcommand_from show" -l log-format -d 'Log lines as text, or as JSON objects (one per line, with their spans) for log shippers' -r -f -a "text\t'Plain lines, for people'
json\t'One object per line, for log shippers'"
complete -c socialcrm -n "__fish_socialcrm_using_subcommand fans; and __fish_seen_subcommand_from show" -s v -l verbose -d 'More log output on stderr (-v info, -vv debug, -vvv trace)'
complete -c socialcrm -n "__fish_socialcrm_using_subcommand fans; and __fish_seen_subcommand_from show" -s q -l quiet -d 'Only errors on stderr'
complete -c socialcrm -n "__fish_socialcrm_using_subcommand fans; and __fish_seen_subcommand_from show" -l no-progress -d 'Never draw progress bars (they are only drawn when stderr is a terminal)'
complete -c socialcrm -n "__fish_socialcrm_using_subcommand fans; and __fish_seen_subcommand_from show" -l csv-raw -d 'Write CSV cells exactly as stored: by default a cell that a spreadsheet would run as a formula (starting with =, +, -, @, tab or CR, and not a plain number) gets a leading \''
complete -c socialcrm -n "__fish_socialcrm_using_subcommand fans; and __fish_seen_subcommand_from show" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c socialcrm -n "__fish_socialcrm_using_subcommand fans; and __fish_seen_subcommand_from show" -s V -l version -d 'Print version'
complete -c socialcrm -n "__fish_socialcrm_using_subcommand fans; and __fish_seen_subcommand_from tag" -l account -d 'Tag the fan for this account (creator) only' -r
complete -c socialcrm -n "__fish_socialcrm_using_subcommand fans; and __fish_seen_subcommand_from tag" -l database-url -d 'The CRM database: postgres://user@host/db for PostgreSQL, sqlite:PATH for another SQLite file [default: $XDG_DATA_HOME/socialcrm/crm.db]' -r
complete -c socialcrm -n "__fish_socialcrm_using_subcommand fans; and __fish_seen_subcommand_from tag" -l config -d 'Config file to read [default: $XDG_CONFIG_HOME/socialcrm/config.toml]' -r -F
complete -c socialcrm -n "__fish_socialcrm_using_subcommand fans; and __fish_seen_subcommand_from tag" -s o -l output -d 'How to print results [default: table]' -r -f -a "table\t'Aligned columns for people'
json\t'A JSON document with stable field names, for scripts'
csv\t'Comma-separated values with a header row, for spreadsheets'"
complete -c socialcrm -n "__fish_socialcrm_using_subcommand fans; and __fish_seen_subcommand_from tag" -l log-format -d 'Log lines as text, or as JSON objects (one per line, with their spans) for log shippers' -r -f -a "text\t'Plain lines, for people'
json\t'One object per line, for log shippers'"
complete -c socialcrm -n "__fish_socialcrm_using_subcommand fans; and __fish_seen_subcommand_from tag" -s v -l verbose -d 'More log output on stderr (-v info, -vv debug, -vvv trace)'
complete -c socialcrm -n "__fish_socialcrm_using_subcommand fans; and __fish_seen_subcommand_from tag" -s q -l quiet -d 'Only errors on stderr'
complete -c socialcrm -n "__fish_socialcrm_using_subcommand fans; and __fish_seen_subcommand_from tag" -l no-progress -d 'Never draw progress bars (they are only drawn when stderr is a terminal)'
complete -c socialcrm -n "__fish_socialcrm_using_subcommand fans; and __fish_seen_subcommand_from tag" -l csv-raw -d 'Write CSV cells exactly as stored: by default a cell that a spreadsheet would run as a formula (starting with =, +, -, @, tab or CR, and not a plain number) gets a leading \''
complete -c socialcrm -n "__fish_socialcrm_using_subcommand fans; and __fish_seen_subcommand_from tag" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c socialcrm -n "__fish_socialcrm_using_subcommand fans; and __fish_seen_subcommand_from tag" -s V -l version -d 'Print version'
complete -c socialcrm -n "__fish_socialcrm_using_subcommand fans; and __fish_seen_subcommand_from untag" -l account -d 'Untag the fan for this account (creator) only' -r
complete -c socialcrm -n "__fish_socialcrm_using_subcommand fans; and __fish_seen_subcommand_from untag" -l database-url -d 'The CRM database: postgres://user@host/db for PostgreSQL, sqlite:PATH for another SQLite file [default: $XDG_DATA_HOME/socialcrm/crm.db]' -r
complete -c socialcrm -n "__fish_socialcrm_using_subcommand fans; and __fish_seen_subcommand_from untag" -l config -d 'Config file to read [default: $XDG_CONFIG_HOME/socialcrm/config.toml]' -r -F
complete -c socialcrm -n "__fish_socialcrm_using_subcommand fans; and __fish_seen_subcommand_from untag" -s o -l output -d 'How to print results [default: table]' -r -f -a "table\t'Aligned columns for people'
json\t'A JSON document with stable field names, for scripts'
csv\t'Comma-separated values with a header row, for spreadsheets'"
complete -c socialcrm -n "__fish_socialcrm_using_subcommand fans; and __fish_seen_subcommand_from untag" -l log-format -d 'Log lines as text, or as JSON objects (one per line, with their spans) for log shippers' -r -f -a "text\t'Plain lines, for people'
json\t'One object per line, for log shippers'"
complete -c socialcrm -n "__fish_socialcrm_using_subcommand fans; and __fish_seen_subcommand_from untag" -s v -l verbose -d 'More log output on stderr (-v info, -vv debug, -vvv trace)'
complete -c socialcrm -n "__fish_socialcrm_using_subcommand fans; and __fish_seen_subcommand_from untag" -s q -l quiet -d 'Only errors on stderr'
complete -c socialcrm -n "__fish_socialcrm_using_subcommand fans; and __fish_seen_subcommand_from untag" -l no-progress -d 'Never draw progress bars (they are only drawn when stderr is a terminal)'
complete -c socialcrm -n "__fish_socialcrm_using_subcommand fans; and __fish_seen_subcommand_from untag" -l csv-raw -d 'Write CSV cells exactly as stored: by default a cell that a spreadsheet would run as a formula (starting with =, +, -, @, tab or CR, and not a plain number) gets a leading \''
complete -c socialcrm -n "__fish_socialcrm_using_subcommand fans; and __fish_seen_subcommand_from untag" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c socialcrm -n "__fish_socialcrm_using_subcommand fans; and __fish_seen_subcommand_from untag" -s V -l version -d 'Print version'
complete -c socialcrm -n "__fish_socialcrm_using_subcommand fans; and __fish_seen_subcommand_from note" -l account -d 'The note is about the fan\'s relationship with this account (creator)' -r
complete -c socialcrm -n "__fish_socialcrm_using_subcommand fans; and __fish_seen_subcommand_from note" -l database-url -d 'The CRM database: postgres://user@host/db for PostgreSQL, sqlite:PATH for another SQLite file [default: $XDG_DATA_HOME/socialcrm/crm.db]' -r
complete -c socialcrm -n "__fish_socialcrm_using_subcommand fans; and __fish_seen_subcommand_from note" -l config -d 'Config file to read [default: $XDG_CONFIG_HOME/socialcrm/config.toml]' -r -F
complete -c socialcrm -n "__fish_socialcrm_using_subcommand fans; and __fish_seen_subcommand_from note" -s o -l output -d 'How to print results [default: table]' -r -f -a "table\t'Aligned columns for people'
json\t'A JSON document with stable field names, for scripts'
csv\t'Comma-separated values with a header row, for spreadsheets'"
complete -c socialcrm -n "__fish_socialcrm_using_subcommand fans; and __fish_seen_subcommand_from note" -l log-format -d 'Log lines as text, or as JSON objects (one per line, with their spans) for log shippers' -r -f -a "text\t'Plain lines, for people'
json\t'One object per line, for log shippers'"
complete -c socialcrm -n "__fish_socialcrm_using_subcommand fans; and __fish_seen_subcommand_from note" -s v -l verbose -d 'More log output on stderr (-v info, -vv debug, -vvv trace)'
complete -c socialcrm -n "__fish_socialcrm_using_subcommand fans; and __fish_seen_subcommand_from note" -s q -l quiet -d 'Only errors on stderr'
complete -c socialcrm -n "__fish_socialcrm_using_subcommand fans; and __fish_seen_subcommand_from note" -l no-progress -d 'Never draw progress bars (they are only drawn when stderr is a terminal)'
complete -c socialcrm -n "__fish_socialcrm_using_subcommand fans; and __fish_seen_subcommand_from note" -l csv-raw -d 'Write CSV cells exactly as stored: by default a cell that a spreadsheet would run as a formula (starting with =, +, -, @, tab or CR, and not a plain number) gets a leading \''
complete -c socialcrm -n "__fish_socialcrm_using_subcommand fans; and __fish_seen_subcommand_from note" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c socialcrm -n "__fish_socialcrm_using_subcommand fans; and __fish_seen_subcommand_from note" -s V -l version -d 'Print version'
complete -c socialcrm -n "__fish_socialcrm_using_subcommand fans; and __fish_seen_subcommand_from delete" -l account -d 'Erase only this account\'s relationship with the fan and its rows' -r
complete -c socialcrm -n "__fish_socialcrm_using_subcommand fans; and __fish_seen_subcommand_from delete" -l database-url -d 'The CRM database: postgres://user@host/db for PostgreSQL, sqlite:PATH for another SQLite file [default: $XDG_DATA_HOME/socialcrm/crm.db]' -r
complete -c socialcrm -n "__fish_socialcrm_using_subcommand fans; and __fish_seen_subcommand_from delete" -l config -d 'Config file to read [default: $XDG_CONFIG_HOME/socialcrm/config.toml]' -r -F
complete -c socialcrm -n "__fish_socialcrm_using_subcommand fans; and __fish_seen_subcommand_from delete" -s o -l output -d 'How to print results [default: table]' -r -f -a "table\t'Aligned columns for people'
json\t'A JSON document with stable field names, for scripts'
csv\t'Comma-separated values with a header row, for spreadsheets'"
complete -c socialcrm -n "__fish_socialcrm_using_subcommand fans; and __fish_seen_subcommand_from delete" -l log-format -d 'Log lines as text, or as JSON objects (one per line, with their spans) for log shippers' -r -f -a "text\t'Plain lines, for people'
json\t'One object per line, for log shippers'"
complete -c socialcrm -n "__fish_socialcrm_using_subcommand fans; and __fish_seen_subcommand_from delete" -l yes -d 'Do not ask: erase at once (needed when stdin is not a terminal)'
complete -c socialcrm -n "__fish_socialcrm_using_subcommand fans; and __fish_seen_subcommand_from delete" -s v -l verbose -d 'More log output on stderr (-v info, -vv debug, -vvv trace)'
complete -c socialcrm -n "__fish_socialcrm_using_subcommand fans; and __fish_seen_subcommand_from delete" -s q -l quiet -d 'Only errors on stderr'
complete -c socialcrm -n "__fish_socialcrm_using_subcommand fans; and __fish_seen_subcommand_from delete" -l no-progress -d 'Never draw progress bars (they are only drawn when stderr is a terminal)'
complete -c socialcrm -n "__fish_socialcrm_using_subcommand fans; and __fish_seen_subcommand_from delete" -l csv-raw -d 'Write CSV cells exactly as stored: by default a cell that a spreadsheet would run as a formula (starting with =, +, -, @, tab or CR, and not a plain number) gets a leading \''
complete -c socialcrm -n "__fish_socialcrm_using_subcommand fans; and __fish_seen_subcommand_from delete" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c socialcrm -n "__fish_socialcrm_using_subcommand fans; and __fish_seen_subcommand_from delete" -s V -l version -d 'Print version'
complete -c socialcrm -n "__fish_socialcrm_using_subcommand fans; and __fish_seen_subcommand_from help" -f -a "list" -d 'List fan relationships (one row per fan and account), a page at a time'
complete -c socialcrm -n "__fish_socialcrm_using_subcommand fans; and __fish_seen_subcommand_from help" -f -a "show" -d 'Show one fan: the identity, each account\'s relationship, their sum and latest messages'
complete -c socialcrm -n "__fish_socialcrm_using_subcommand fans; and __fish_seen_subcommand_from help" -f -a "tag" -d 'Tag a fan (idempotent: a tag already there stays as it was)'
complete -c socialcrm -n "__fish_socialcrm_using_subcommand fans; and __fish_seen_subcommand_from help" -f -a "untag" -d 'Take tags off a fan (idempotent: a tag that is not there is no error)'
complete -c socialcrm -n "__fish_socialcrm_using_subcommand fans; and __fish_seen_subcommand_from help" -f -a "note" -d 'Add a note to a fan: append-only, stamped with the time and the operator'
complete -c socialcrm -n "__fish_socialcrm_using_subcommand fans; and __fish_seen_subcommand_from help" -f -a "delete" -d 'Erase a fan: every row about them, in one transaction (a deletion request)'
complete -c socialcrm -n "__fish_socialcrm_using_subcommand fans; and __fish_seen_subcommand_from help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c socialcrm -n "__fish_socialcrm_using_subcommand segments; and not __fish_seen_subcommand_from create list show delete help" -l database-url -d 'The CRM database: postgres://user@host/db for PostgreSQL, sqlite:PATH for another SQLite file [default: $XDG_DATA_HOME/socialcrm/crm.db]' -r
complete -c socialcrm -n "__fish_socialcrm_using_subcommand segments; and not __fish_seen_subcommand_from create list show delete help" -l config -d 'Config file to read [default: $XDG_CONFIG_HOME/socialcrm/config.toml]' -r -F
complete -c socialcrm -n "__fish_socialcrm_using_subcommand segments; and not __fish_seen_subcommand_from create list show delete help" -s o -l output -d 'How to print results [default: table]' -r -f -a "table\t'Aligned columns for people'
json\t'A JSON document with stable field names, for scripts'
csv\t'Comma-separated values with a header row, for spreadsheets'"
complete -c socialcrm -n "__fish_socialcrm_using_subcommand segments; and not __fish_seen_subcommand_from create list show delete help" -l log-format -d 'Log lines as text, or as JSON objects (one per line, with their spans) for log shippers' -r -f -a "text\t'Plain lines, for people'
json\t'One object per line, for log shippers'"
complete -c socialcrm -n "__fish_socialcrm_using_subcommand segments; and not __fish_seen_subcommand_from create list show delete help" -s v -l verbose -d 'More log output on stderr (-v info, -vv debug, -vvv trace)'
complete -c socialcrm -n "__fish_socialcrm_using_subcommand segments; and not __fish_seen_subcommand_from create list show delete help" -s q -l quiet -d 'Only errors on stderr'
complete -c socialcrm -n "__fish_socialcrm_using_subcommand segments; and not __fish_seen_subcommand_from create list show delete help" -l no-progress -d 'Never draw progress bars (they are only drawn when stderr is a terminal)'
complete -c socialcrm -n "__fish_socialcrm_using_subcommand segments; and not __fish_seen_subcommand_from create list show delete help" -l csv-raw -d 'Write CSV cells exactly as stored: by default a cell that a spreadsheet would run as a formula (starting with =, +, -, @, tab or CR, and not a plain number) gets a leading \''
complete -c socialcrm -n "__fish_socialcrm_using_subcommand segments; and not __fish_seen_subcommand_from create list show delete help" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c socialcrm -n "__fish_socialcrm_using_subcommand segments; and not __fish_seen_subcommand_from create list show delete help" -s V -l version -d 'Print version'
complete -c socialcrm -n "__fish_socialcrm_using_subcommand segments; and not __fish_seen_subcommand_from create list show delete help" -f -a "create" -d 'Save a segment: a named `fans list` filter, evaluated live whenever it is used'
complete -c socialcrm -n "__fish_socialcrm_using_subcommand segments; and not __fish_seen_subcommand_from create list show delete help" -f -a "list" -d 'Every segment: the built-in ones, then the saved ones, with their definition and live count'
complete -c socialcrm -n "__fish_socialcrm_using_subcommand segments; and not __fish_seen_subcommand_from create list show delete help" -f -a "show" -d 'One segment: its definition, live count and the first page of its members'
complete -c socialcrm -n "__fish_socialcrm_using_subcommand segments; and not __fish_seen_subcommand_from create list show delete help" -f -a "delete" -d 'Delete a saved segment (the fans in it are not touched)'
complete -c socialcrm -n "__fish_socialcrm_using_subcommand segments; and not __fish_seen_subcommand_from create list show delete help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c socialcrm -n "__fish_socialcrm_using_subcommand segments; and __fish_seen_subcommand_from create" -s p -l platform -d 'Only fans on this platform' -r -f -a "tiktok\t''
instagram\t''
reddit\t''
x\t''
onlyfans\t''"
complete -c socialcrm -n "__fish_socialcrm_using_subcommand segments; and __fish_seen_subcommand_from create" -s a -l account -d 'Only relationships with this account (the creator)' -r
complete -c socialcrm -n "__fish_socialcrm_using_subcommand segments; and __fish_seen_subcommand_from create" -l status -d 'Only relationships with this status (e.g. active, expired)' -r
complete -c socialcrm -n "__fish_socialcrm_using_subcommand segments; and __fish_seen_subcommand_from create" -l min-spend -d 'Only relationships with a lifetime spend of at least AMOUNT (major units: 12.50)' -r
complete -c socialcrm -n "__fish_socialcrm_using_subcommand segments; and __fish_seen_subcommand_from create" -l max-spend -d 'Only relationships with a lifetime spend of at most AMOUNT' -r
complete -c socialcrm -n "__fish_socialcrm_using_subcommand segments; and __fish_seen_subcommand_from create" -s s -l search -d 'Only fans whose username, display name or platform id contains TEXT (any case)' -r
complete -c socialcrm -n "__fish_socialcrm_using_subcommand segments; and __fish_seen_subcommand_from create" -l since -d 'Only fans last seen at or after this date (2026-11-01, RFC 3339, or 7d/12h ago: relative dates stay relative)' -r
complete -c socialcrm -n "__fish_socialcrm_using_subcommand segments; and __fish_seen_subcommand_from create" -l until -d 'Only fans last seen before this date' -r
complete -c socialcrm -n "__fish_socialcrm_using_subcommand segments; and __fish_seen_subcommand_from create" -l tag -d 'Only fans tagged TAG; repeat to require all of them' -r
complete -c socialcrm -n "__fish_socialcrm_using_subcommand segments; and __fish_seen_subcommand_from create" -l database-url -d 'The CRM database: postgres://user@host/db for PostgreSQL, sqlite:PATH for another SQLite file [default: $XDG_DATA_HOME/socialcrm/crm.db]' -r
complete -c socialcrm -n "__fish_socialcrm_using_subcommand segments; and __fish_seen_subcommand_from create" -l config -d 'Config file to read [default: $XDG_CONFIG_HOME/socialcrm/config.toml]' -r -F
complete -c socialcrm -n "__fish_socialcrm_using_subcommand segments; and __fish_seen_subcommand_from create" -s o -l output -d 'How to print results [default: table]' -r -f -a "table\t'Aligned columns for people'
json\t'A JSON document with stable field names, for scripts'
csv\t'Comma-separated values with a header row, for spreadsheets'"
complete -c socialcrm -n "__fish_socialcrm_using_subcommand segments; and __fish_seen_subcommand_from create" -l log-format -d 'Log lines as text, or as JSON objects (one per line, with their spans) for log shippers' -r -f -a "text\t'Plain lines, for people'
json\t'One object per line, for log shippers'"
complete -c socialcrm -n "__fish_socialcrm_using_subcommand segments; and __fish_seen_subcommand_from create" -s v -l verbose -d 'More log output on stderr (-v info, -vv debug, -vvv trace)'
complete -c socialcrm -n "__fish_socialcrm_using_subcommand segments; and __fish_seen_subcommand_from create" -s q -l quiet -d 'Only errors on stderr'
complete -c socialcrm -n "__fish_socialcrm_using_subcommand segments; and __fish_seen_subcommand_from create" -l no-progress -d 'Never draw progress bars (they are only drawn when stderr is a terminal)'
complete -c socialcrm -n "__fish_socialcrm_using_subcommand segments; and __fish_seen_subcommand_from create" -l csv-raw -d 'Write CSV cells exactly as stored: by default a cell that a spreadsheet would run as a formula (starting with =, +, -, @, tab or CR, and not a plain number) gets a leading \''
complete -c socialcrm -n "__fish_socialcrm_using_subcommand segments; and __fish_seen_subcommand_from create" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c socialcrm -n "__fish_socialcrm_using_subcommand segments; and __fish_seen_subcommand_from create" -s V -l version -d 'Print version'
complete -c socialcrm -n "__fish_socialcrm_using_subcommand segments; and __fish_seen_subcommand_from list" -l database-url -d 'The CRM database: postgres://user@host/db for PostgreSQL, sqlite:PATH for another SQLite file [default: $XDG_DATA_HOME/socialcrm/crm.db]' -r
complete -c socialcrm -n "__fish_socialcrm_using_subcommand segments; and __fish_seen_subcommand_from list" -l config -d 'Config file to read [default: $XDG_CONFIG_HOME/socialcrm/config.toml]' -r -F
complete -c socialcrm -n "__fish_socialcrm_using_subcommand segments; and __fish_seen_subcommand_from list" -s o -l output -d 'How to print results [default: table]' -r -f -a "table\t'Aligned columns for people'
json\t'A JSON document with stable field names, for scripts'
csv\t'Comma-separated values with a header row, for spreadsheets'"
complete -c socialcrm -n "__fish_socialcrm_using_subcommand segments; and __fish_seen_subcommand_from list" -l log-format -d 'Log lines as text, or as JSON objects (one per line, with their spans) for log shippers' -r -f -a "text\t'Plain lines, for people'
json\t'One object per line, for log shippers'"
complete -c socialcrm -n "__fish_socialcrm_using_subcommand segments; and __fish_seen_subcommand_from list" -s v -l verbose -d 'More log output on stderr (-v info, -vv debug, -vvv trace)'
complete -c socialcrm -n "__fish_socialcrm_using_subcommand segments; and __fish_seen_subcommand_from list" -s q -l quiet -d 'Only errors on stderr'
complete -c socialcrm -n "__fish_socialcrm_using_subcommand segments; and __fish_seen_subcommand_from list" -l no-progress -d 'Never draw progress bars (they are only drawn when stderr is a terminal)'
complete -c socialcrm -n "__fish_socialcrm_using_subcommand segments; and __fish_seen_subcommand_from list" -l csv-raw -d 'Write CSV cells exactly as stored: by default a cell that a spreadsheet would run as a formula (starting with =, +, -, @, tab or CR, and not a plain number) gets a leading \''
complete -c socialcrm -n "__fish_socialcrm_using_subcommand segments; and __fish_seen_subcommand_from list" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c socialcrm -n "__fish_socialcrm_using_subcommand segments; and __fish_seen_subcommand_from list" -s V -l version -d 'Print version'
complete -c socialcrm -n "__fish_socialcrm_using_subcommand segments; and __fish_seen_subcommand_from show" -l limit -d 'Most rows to print (1 to 10000)' -r
complete -c socialcrm -n "__fish_socialcrm_using_subcommand segments; and __fish_seen_subcommand_from show" -l after -d 'Continue after the row with this id (the `id` of the last row printed)' -r
complete -c socialcrm -n "__fish_socialcrm_using_subcommand segments; and __fish_seen_subcommand_from show" -l database-url -d 'The CRM database: postgres://user@host/db for PostgreSQL, sqlite:PATH for another SQLite file [default: $XDG_DATA_HOME/socialcrm/crm.db]' -r
complete -c socialcrm -n "__fish_socialcrm_using_subcommand segments; and __fish_seen_subcommand_from show" -l config -d 'Config file to read [default: $XDG_CONFIG_HOME/socialcrm/config.toml]' -r -F
complete -c socialcrm -n "__fish_socialcrm_using_subcommand segments; and __fish_seen_subcommand_from show" -s o -l output -d 'How to print results [default: table]' -r -f -a "table\t'Aligned columns for people'
json\t'A JSON document with stable field names, for scripts'
csv\t'Comma-separated values with a header row, for spreadsheets'"
complete -c socialcrm -n "__fish_socialcrm_using_subcommand segments; and __fish_seen_subcommand_from show" -l log-format -d 'Log lines as text, or as JSON objects (one per line, with their spans) for log shippers' -r -f -a "text\t'Plain lines, for people'
json\t'One object per line, for log shippers'"
complete -c socialcrm -n "__fish_socialcrm_using_subcommand segments; and __fish_seen_subcommand_from show" -s v -l verbose -d 'More log output on stderr (-v info, -vv debug, -vvv trace)'
complete -c socialcrm -n "__fish_socialcrm_using_subcommand segments; and __fish_seen_subcommand_from show" -s q -l quiet -d 'Only errors on stderr'
complete -c socialcrm -n "__fish_socialcrm_using_subcommand segments; and __fish_seen_subcommand_from show" -l no-progress -d 'Never draw progress bars (they are only drawn when stderr is a terminal)'
complete -c socialcrm -n "__fish_socialcrm_using_subcommand segments; and __fish_seen_subcommand_from show" -l csv-raw -d 'Write CSV cells exactly as stored: by default a cell that a spreadsheet would run as a formula (starting with =, +, -, @, tab or CR, and not a plain number) gets a leading \''
complete -c socialcrm -n "__fish_socialcrm_using_subcommand segments; and __fish_seen_subcommand_from show" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c socialcrm -n "__fish_socialcrm_using_subcommand segments; and __fish_seen_subcommand_from show" -s V -l version -d 'Print version'
complete -c socialcrm -n "__fish_socialcrm_using_subcommand segments; and __fish_seen_subcommand_from delete" -l database-url -d 'The CRM database: postgres://user@host/db for PostgreSQL, sqlite:PATH for another SQLite file [default: $XDG_DATA_HOME/socialcrm/crm.db]' -r
complete -c socialcrm -n "__fish_socialcrm_using_subcommand segments; and __fish_seen_subcommand_from delete" -l config -d 'Config file to read [default: $XDG_CONFIG_HOME/socialcrm/config.toml]' -r -F
complete -c socialcrm -n "__fish_socialcrm_using_subcommand segments; and __fish_seen_subcommand_from delete" -s o -l output -d 'How to print results [default: table]' -r -f -a "table\t'Aligned columns for people'
json\t'A JSON document with stable field names, for scripts'
csv\t'Comma-separated values with a header row, for spreadsheets'"
complete -c socialcrm -n "__fish_socialcrm_using_subcommand segments; and __fish_seen_subcommand_from delete" -l log-format -d 'Log lines as text, or as JSON objects (one per line, with their spans) for log shippers' -r -f -a "text\t'Plain lines, for people'
json\t'One object per line, for log shippers'"
complete -c socialcrm -n "__fish_socialcrm_using_subcommand segments; and __fish_seen_subcommand_from delete" -s v -l verbose -d 'More log output on stderr (-v info, -vv debug, -vvv trace)'
complete -c socialcrm -n "__fish_socialcrm_using_subcommand segments; and __fish_seen_subcommand_from delete" -s q -l quiet -d 'Only errors on stderr'
complete -c socialcrm -n "__fish_socialcrm_using_subcommand segments; and __fish_seen_subcommand_from delete" -l no-progress -d 'Never draw progress bars (they are only drawn when stderr is a terminal)'
complete -c socialcrm -n "__fish_socialcrm_using_subcommand segments; and __fish_seen_subcommand_from delete" -l csv-raw -d 'Write CSV cells exactly as stored: by default a cell that a spreadsheet would run as a formula (starting with =, +, -, @, tab or CR, and not a plain number) gets a leading \''
complete -c socialcrm -n "__fish_socialcrm_using_subcommand segments; and __fish_seen_subcommand_from delete" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c socialcrm -n "__fish_socialcrm_using_subcommand segments; and __fish_seen_subcommand_from delete" -s V -l version -d 'Print version'
complete -c socialcrm -n "__fish_socialcrm_using_subcommand segments; and __fish_seen_subcommand_from help" -f -a "create" -d 'Save a segment: a named `fans list` filter, evaluated live whenever it is used'
complete -c socialcrm -n "__fish_socialcrm_using_subcommand segments; and __fish_seen_subcommand_from help" -f -a "list" -d 'Every segment: the built-in ones, then the saved ones, with their definition and live count'
complete -c socialcrm -n "__fish_socialcrm_using_subcommand segments; and __fish_seen_subcommand_from help" -f -a "show" -d 'One segment: its definition, live count and the first page of its members'
complete -c socialcrm -n "__fish_socialcrm_using_subcommand segments; and __fish_seen_subcommand_from help" -f -a "delete" -d 'Delete a saved segment (the fans in it are not touched)'
complete -c socialcrm -n "__fish_socialcrm_using_subcommand segments; and __fish_seen_subcommand_from help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c socialcrm -n "__fish_socialcrm_using_subcommand messages; and not __fish_seen_subcommand_from list help" -l database-url -d 'The CRM database: postgres://user@host/db for PostgreSQL, sqlite:PATH for another SQLite file [default: $XDG_DATA_HOME/socialcrm/crm.db]' -r
complete -c socialcrm -n "__fish_socialcrm_using_subcommand messages; and not __fish_seen_subcommand_from list help" -l config -d 'Config file to read [default: $XDG_CONFIG_HOME/socialcrm/config.toml]' -r -F
complete -c socialcrm -n "__fish_socialcrm_using_subcommand messages; and not __fish_seen_subcommand_from list help" -s o -l output -d 'How to print results [default: table]' -r -f -a "table\t'Aligned columns for people'
json\t'A JSON document with stable field names, for scripts'
csv\t'Comma-separated values with a header row, for spreadsheets'"
complete -c socialcrm -n "__fish_socialcrm_using_subcommand messages; and not __fish_seen_subcommand_from list help" -l log-format -d 'Log lines as text, or as JSON objects (one per line, with their spans) for log shippers' -r -f -a "text\t'Plain lines, for people'
json\t'One object per line, for log shippers'"
complete -c socialcrm -n "__fish_socialcrm_using_subcommand messages; and not __fish_seen_subcommand_from list help" -s v -l verbose -d 'More log output on stderr (-v info, -vv debug, -vvv trace)'
complete -c socialcrm -n "__fish_socialcrm_using_subcommand messages; and not __fish_seen_subcommand_from list help" -s q -l quiet -d 'Only errors on stderr'
complete -c socialcrm -n "__fish_socialcrm_using_subcommand messages; and not __fish_seen_subcommand_from list help" -l no-progress -d 'Never draw progress bars (they are only drawn when stderr is a terminal)'
complete -c socialcrm -n "__fish_socialcrm_using_subcommand messages; and not __fish_seen_subcommand_from list help" -l csv-raw -d 'Write CSV cells exactly as stored: by default a cell that a spreadsheet would run as a formula (starting with =, +, -, @, tab or CR, and not a plain number) gets a leading \''
complete -c socialcrm -n "__fish_socialcrm_using_subcommand messages; and not __fish_seen_subcommand_from list help" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c socialcrm -n "__fish_socialcrm_using_subcommand messages; and not __fish_seen_subcommand_from list help" -s V -l version -d 'Print version'
complete -c socialcrm -n "__fish_socialcrm_using_subcommand messages; and not __fish_seen_subcommand_from list help" -f -a "list" -d 'List DMs and comments, oldest first, a page at a time'
complete -c socialcrm -n "__fish_socialcrm_using_subcommand messages; and not __fish_seen_subcommand_from list help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c socialcrm -n "__fish_socialcrm_using_subcommand messages; and __fish_seen_subcommand_from list" -s p -l platform -d 'Only messages on this platform' -r -f -a "tiktok\t''
instagram\t''
reddit\t''
x\t''
onlyfans\t''"
complete -c socialcrm -n "__fish_socialcrm_using_subcommand messages; and __fish_seen_subcommand_from list" -s a -l account -d 'Only messages in this account\'s inbox and posts (the creator\'s local name)' -r
complete -c socialcrm -n "__fish_socialcrm_using_subcommand messages; and __fish_seen_subcommand_from list" -s s -l search -d 'Only messages whose text contains TEXT (any case)' -r
complete -c socialcrm -n "__fish_socialcrm_using_subcommand messages; and __fish_seen_subcommand_from list" -l fan -d 'Only messages with this fan: ID or PLATFORM:USER, as for `fans show`' -r
complete -c socialcrm -n "__fish_socialcrm_using_subcommand messages; and __fish_seen_subcommand_from list" -l direction -d 'Only messages in this direction' -r -f -a "in\t'From the fan'
out\t'From the creator'"
complete -c socialcrm -n "__fish_socialcrm_using_subcommand messages; and __fish_seen_subcommand_from list" -l since -d 'Only messages sent at or after this date (2026-11-01, RFC 3339, or 7d/12h ago)' -r
complete -c socialcrm -n "__fish_socialcrm_using_subcommand messages; and __fish_seen_subcommand_from list" -l until -d 'Only messages sent before this date' -r
complete -c socialcrm -n "__fish_socialcrm_using_subcommand messages; and __fish_seen_subcommand_from list" -l limit -d 'Most rows to print (1 to 10000)' -r
complete -c socialcrm -n "__fish_socialcrm_using_subcommand messages; and __fish_seen_subcommand_from list" -l after -d 'Continue after the row with this id (the `id` of the last row printed)' -r
complete -c socialcrm -n "__fish_socialcrm_using_subcommand messages; and __fish_seen_subcommand_from list" -l database-url -d 'The CRM database: postgres://user@host/db for PostgreSQL, sqlite:PATH for another SQLite file [default: $XDG_DATA_HOME/socialcrm/crm.db]' -r
complete -c socialcrm -n "__fish_socialcrm_using_subcommand messages; and __fish_seen_subcommand_from list" -l config -d 'Config file to read [default: $XDG_CONFIG_HOME/socialcrm/config.toml]' -r -F
complete -c socialcrm -n "__fish_socialcrm_using_subcommand messages; and __fish_seen_subcommand_from list" -s o -l output -d 'How to print results [default: table]' -r -f -a "table\t'Aligned columns for people'
json\t'A JSON document with stable field names, for scripts'
csv\t'Comma-separated values with a header row, for spreadsheets'"
complete -c socialcrm -n "__fish_socialcrm_using_subcommand messages; and __fish_seen_subcommand_from list" -l log-format -d 'Log lines as text, or as JSON objects (one per line, with their spans) for log shippers' -r -f -a "text\t'Plain lines, for people'
json\t'One object per line, for log shippers'"
complete -c socialcrm -n "__fish_socialcrm_using_subcommand messages; and __fish_seen_subcommand_from list" -s v -l verbose -d 'More log output on stderr (-v info, -vv debug, -vvv trace)'
complete -c socialcrm -n "__fish_socialcrm_using_subcommand messages; and __fish_seen_subcommand_from list" -s q -l quiet -d 'Only errors on stderr'
complete -c socialcrm -n "__fish_socialcrm_using_subcommand messages; and __fish_seen_subcommand_from list" -l no-progress -d 'Never draw progress bars (they are only drawn when stderr is a terminal)'
complete -c socialcrm -n "__fish_socialcrm_using_subcommand messages; and __fish_seen_subcommand_from list" -l csv-raw -d 'Write CSV cells exactly as stored: by default a cell that a spreadsheet would run as a formula (starting with =, +, -, @, tab or CR, and not a plain number) gets a leading \''
complete -c socialcrm -n "__fish_socialcrm_using_subcommand messages; and __fish_seen_subcommand_from list" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c socialcrm -n "__fish_socialcrm_using_subcommand messages; and __fish_seen_subcommand_from list" -s V -l version -d 'Print version'
complete -c socialcrm -n "__fish_socialcrm_using_subcommand messages; and __fish_seen_subcommand_from help" -f -a "list" -d 'List DMs and comments, oldest first, a page at a time'
complete -c socialcrm -n "__fish_socialcrm_using_subcommand messages; and __fish_seen_subcommand_from help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c socialcrm -n "__fish_socialcrm_using_subcommand people; and not __fish_seen_subcommand_from list show link unlink suggest accept reject help" -l database-url -d 'The CRM database: postgres://user@host/db for PostgreSQL, sqlite:PATH for another SQLite file [default: $XDG_DATA_HOME/socialcrm/crm.db]' -r
complete -c socialcrm -n "__fish_socialcrm_using_subcommand people; and not __fish_seen_subcommand_from list show link unlink suggest accept reject help" -l config -d 'Config file to read [default: $XDG_CONFIG_HOME/socialcrm/config.toml]' -r -F
complete -c socialcrm -n "__fish_socialcrm_using_subcommand people; and not __fish_seen_subcommand_from list show link unlink suggest accept reject help" -s o -l output -d 'How to print results [default: table]' -r -f -a "table\t'Aligned columns for people'
json\t'A JSON document with stable field names, for scripts'
csv\t'Comma-separated values with a header row, for spreadsheets'"
complete -c socialcrm -n "__fish_socialcrm_using_subcommand people; and not __fish_seen_subcommand_from list show link unlink suggest accept reject help" -l log-format -d 'Log lines as text, or as JSON objects (one per line, with their spans) for log shippers' -r -f -a "text\t'Plain lines, for people'
json\t'One object per line, for log shippers'"
complete -c socialcrm -n "__fish_socialcrm_using_subcommand people; and not __fish_seen_subcommand_from list show link unlink suggest accept reject help" -s v -l verbose -d 'More log output on stderr (-v info, -vv debug, -vvv trace)'
complete -c socialcrm -n "__fish_socialcrm_using_subcommand people; and not __fish_seen_subcommand_from list show link unlink suggest accept reject help" -s q -l quiet -d 'Only errors on stderr'
complete -c socialcrm -n "__fish_socialcrm_using_subcommand people; and not __fish_seen_subcommand_from list show link unlink suggest accept reject help" -l no-progress -d 'Never draw progress bars (they are only drawn when stderr is a terminal)'
complete -c socialcrm -n "__fish_socialcrm_using_subcommand people; and not __fish_seen_subcommand_from list show link unlink suggest accept reject help" -l csv-raw -d 'Write CSV cells exactly as stored: by default a cell that a spreadsheet would run as a formula (starting with =, +, -, @, tab or CR, and not a plain number) gets a leading \''
complete -c socialcrm -n "__fish_socialcrm_using_subcommand people; and not __fish_seen_subcommand_from list show link unlink suggest accept reject help" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c socialcrm -n "__fish_socialcrm_using_subcommand people; and not __fish_seen_subcommand_from list show link unlink suggest accept reject help" -s V -l version -d 'Print version'
complete -c socialcrm -n "__fish_socialcrm_using_subcommand people; and not __fish_seen_subcommand_from list show link unlink suggest accept reject help" -f -a "list" -d 'List people (fan identities linked across platforms), a page at a time'
complete -c socialcrm -n "__fish_socialcrm_using_subcommand people; and not __fish_seen_subcommand_from list show link unlink suggest accept reject help" -f -a "show" -d 'Show one person: every identity, per-account spend and activity, a message timeline'
complete -c socialcrm -n "__fish_socialcrm_using_subcommand people; and not __fish_seen_subcommand_from list show link unlink suggest accept reject help" -f -a "link" -d 'Link fan identities as one person (an operator\'s decision, kept with your name)'
complete -c socialcrm -n "__fish_socialcrm_using_subcommand people; and not __fish_seen_subcommand_from list show link unlink suggest accept reject help" -f -a "unlink" -d 'Take a fan out of its person, undoing the link exactly'
complete -c socialcrm -n "__fish_socialcrm_using_subcommand people; and not __fish_seen_subcommand_from list show link unlink suggest accept reject help" -f -a "suggest" -d 'Propose fan identities on different platforms that may be one person, with evidence'
complete -c socialcrm -n "__fish_socialcrm_using_subcommand people; and not __fish_seen_subcommand_from list show link unlink suggest accept reject help" -f -a "accept" -d 'Link a suggested pair (by its ID from `people suggest`), recording its evidence'
complete -c socialcrm -n "__fish_socialcrm_using_subcommand people; and not __fish_seen_subcommand_from list show link unlink suggest accept reject help" -f -a "reject" -d 'Record that a suggested pair is not one person: it is never suggested again'
complete -c socialcrm -n "__fish_socialcrm_using_subcommand people; and not __fish_seen_subcommand_from list show link unlink suggest accept reject help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c socialcrm -n "__fish_socialcrm_using_subcommand people; and __fish_seen_subcommand_from list" -s a -l account -d 'Only people known to this account, with its spend and activity' -r
complete -c socialcrm -n "__fish_socialcrm_using_subcommand people; and __fish_seen_subcommand_from list" -l platforms -d 'Only people seen on at least N platforms' -r
complete -c socialcrm -n "__fish_socialcrm_using_subcommand people; and __fish_seen_subcommand_from list" -l sort -d 'Order rows by this value, then by person id' -r -f -a "spend\t'The identities\' summed lifetime spend (exact cents; currencies are not converted)'
last-seen\t'When any identity was last seen by an account'"
complete -c socialcrm -n "__fish_socialcrm_using_subcommand people; and __fish_seen_subcommand_from list" -l limit -d 'Most rows to print (1 to 10000)' -r
complete -c socialcrm -n "__fish_socialcrm_using_subcommand people; and __fish_seen_subcommand_from list" -l after -d 'Continue after the row with this id (the `id` of the last row printed)' -r
complete -c socialcrm -n "__fish_socialcrm_using_subcommand people; and __fish_seen_subcommand_from list" -l database-url -d 'The CRM database: postgres://user@host/db for PostgreSQL, sqlite:PATH for another SQLite file [default: $XDG_DATA_HOME/socialcrm/crm.db]' -r
complete -c socialcrm -n "__fish_socialcrm_using_subcommand people; and __fish_seen_subcommand_from list" -l config -d 'Config file to read [default: $XDG_CONFIG_HOME/socialcrm/config.toml]' -r -F
complete -c socialcrm -n "__fish_socialcrm_using_subcommand people; and __fish_seen_subcommand_from list" -s o -l output -d 'How to print results [default: table]' -r -f -a "table\t'Aligned columns for people'
json\t'A JSON document with stable field names, for scripts'
csv\t'Comma-separated values with a header row, for spreadsheets'"
complete -c socialcrm -n "__fish_socialcrm_using_subcommand people; and __fish_seen_subcommand_from list" -l log-format -d 'Log lines as text, or as JSON objects (one per line, with their spans) for log shippers' -r -f -a "text\t'Plain lines, for people'
json\t'One object per line, for log shippers'"
complete -c socialcrm -n "__fish_socialcrm_using_subcommand people; and __fish_seen_subcommand_from list" -l desc -d 'Largest (latest) first'
complete -c socialcrm -n "__fish_socialcrm_using_subcommand people; and __fish_seen_subcommand_from list" -s v -l verbose -d 'More log output on stderr (-v info, -vv debug, -vvv trace)'
complete -c socialcrm -n "__fish_socialcrm_using_subcommand people; and __fish_seen_subcommand_from list" -s q -l quiet -d 'Only errors on stderr'
complete -c socialcrm -n "__fish_socialcrm_using_subcommand people; and __fish_seen_subcommand_from list" -l no-progress -d 'Never draw progress bars (they are only drawn when stderr is a terminal)'
complete -c socialcrm -n "__fish_socialcrm_using_subcommand people; and __fish_seen_subcommand_from list" -l csv-raw -d 'Write CSV cells exactly as stored: by default a cell that a spreadsheet would run as a formula (starting with =, +, -, @, tab or CR, and not a plain number) gets a leading \''
complete -c socialcrm -n "__fish_socialcrm_using_subcommand people; and __fish_seen_subcommand_from list" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c socialcrm -n "__fish_socialcrm_using_subcommand people; and __fish_seen_subcommand_from list" -s V -l version -d 'Print version'
complete -c socialcrm -n "__fish_socialcrm_using_subcommand people; and __fish_seen_subcommand_from show" -l messages -d 'How many of the latest messages to show' -r
complete -c socialcrm -n "__fish_socialcrm_using_subcommand people; and __fish_seen_subcommand_from show" -l database-url -d 'The CRM database: postgres://user@host/db for PostgreSQL, sqlite:PATH for another SQLite file [default: $XDG_DATA_HOME/socialcrm/crm.db]' -r
complete -c socialcrm -n "__fish_socialcrm_using_subcommand people; and __fish_seen_subcommand_from show" -l config -d 'Config file to read [default: $XDG_CONFIG_HOME/socialcrm/config.toml]' -r -F
complete -c socialcrm -n "__fish_socialcrm_using_subcommand people; and __fish_seen_subcommand_from show" -s o -l output -d 'How to print results [default: table]' -r -f -a "table\t'Aligned columns for people'
json\t'A JSON document with stable field names, for scripts'
csv\t'Comma-separated values with a header row, for spreadsheets'"
complete -c socialcrm -n "__fish_socialcrm_using_subcommand people; and __fish_seen_subcommand_from show" -l log-format -d 'Log lines as text, or as JSON objects (one per line, with their spans) for log shippers' -r -f -a "text\t'Plain lines, for people'
json\t'One object per line, for log shippers'"
complete -c socialcrm -n "__fish_socialcrm_using_subcommand people; and __fish_seen_subcommand_from show" -s v -l verbose -d 'More log output on stderr (-v info, -vv debug, -vvv trace)'
complete -c socialcrm -n "__fish_socialcrm_using_subcommand people; and __fish_seen_subcommand_from show" -s q -l quiet -d 'Only errors on stderr'
complete -c socialcrm -n "__fish_socialcrm_using_subcommand people; and __fish_seen_subcommand_from show" -l no-progress -d 'Never draw progress bars (they are only drawn when stderr is a terminal)'
complete -c socialcrm -n "__fish_socialcrm_using_subcommand people; and __fish_seen_subcommand_from show" -l csv-raw -d 'Write CSV cells exactly as stored: by default a cell that a spreadsheet would run as a formula (starting with =, +, -, @, tab or CR, and not a plain number) gets a leading \''
complete -c socialcrm -n "__fish_socialcrm_using_subcommand people; and __fish_seen_subcommand_from show" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c socialcrm -n "__fish_socialcrm_using_subcommand people; and __fish_seen_subcommand_from show" -s V -l version -d 'Print version'
complete -c socialcrm -n "__fish_socialcrm_using_subcommand people; and __fish_seen_subcommand_from link" -l note -d 'Why: kept with the decision' -r
complete -c socialcrm -n "__fish_socialcrm_using_subcommand people; and __fish_seen_subcommand_from link" -l database-url -d 'The CRM database: postgres://user@host/db for PostgreSQL, sqlite:PATH for another SQLite file [default: $XDG_DATA_HOME/socialcrm/crm.db]' -r
complete -c socialcrm -n "__fish_socialcrm_using_subcommand people; and __fish_seen_subcommand_from link" -l config -d 'Config file to read [default: $XDG_CONFIG_HOME/socialcrm/config.toml]' -r -F
complete -c socialcrm -n "__fish_socialcrm_using_subcommand people; and __fish_seen_subcommand_from link" -s o -l output -d 'How to print results [default: table]' -r -f -a "table\t'Aligned columns for people'
json\t'A JSON document with stable field names, for scripts'
csv\t'Comma-separated values with a header row, for spreadsheets'"
complete -c socialcrm -n "__fish_socialcrm_using_subcommand people; and __fish_seen_subcommand_from link" -l log-format -d 'Log lines as text, or as JSON objects (one per line, with their spans) for log shippers' -r -f -a "text\t'Plain lines, for people'
json\t'One object per line, for log shippers'"
complete -c socialcrm -n "__fish_socialcrm_using_subcommand people; and __fish_seen_subcommand_from link" -s v -l verbose -d 'More log output on stderr (-v info, -vv debug, -vvv trace)'
complete -c socialcrm -n "__fish_socialcrm_using_subcommand people; and __fish_seen_subcommand_from link" -s q -l quiet -d 'Only errors on stderr'
complete -c socialcrm -n "__fish_socialcrm_using_subcommand people; and __fish_seen_subcommand_from link" -l no-progress -d 'Never draw progress bars (they are only drawn when stderr is a terminal)'
complete -c socialcrm -n "__fish_socialcrm_using_subcommand people; and __fish_seen_subcommand_from link" -l csv-raw -d 'Write CSV cells exactly as stored: by default a cell that a spreadsheet would run as a formula (starting with =, +, -, @, tab or CR, and not a plain number) gets a leading \''
complete -c socialcrm -n "__fish_socialcrm_using_subcommand people; and __fish_seen_subcommand_from link" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c socialcrm -n "__fish_socialcrm_using_subcommand people; and __fish_seen_subcommand_from link" -s V -l version -d 'Print version'
complete -c socialcrm -n "__fish_socialcrm_using_subcommand people; and __fish_seen_subcommand_from unlink" -l note -d 'Why: kept with the decision' -r
complete -c socialcrm -n "__fish_socialcrm_using_subcommand people; and __fish_seen_subcommand_from unlink" -l database-url -d 'The CRM database: postgres://user@host/db for PostgreSQL, sqlite:PATH for another SQLite file [default: $XDG_DATA_HOME/socialcrm/crm.db]' -r
complete -c socialcrm -n "__fish_socialcrm_using_subcommand people; and __fish_seen_subcommand_from unlink" -l config -d 'Config file to read [default: $XDG_CONFIG_HOME/socialcrm/config.toml]' -r -F
complete -c socialcrm -n "__fish_socialcrm_using_subcommand people; and __fish_seen_subcommand_from unlink" -s o -l output -d 'How to print results [default: table]' -r -f -a "table\t'Aligned columns for people'
json\t'A JSON document with stable field names, for scripts'
csv\t'Comma-separated values with a header row, for spreadsheets'"
complete -c socialcrm -n "__fish_socialcrm_using_subcommand people; and __fish_seen_subcommand_from unlink" -l log-format -d 'Log lines as text, or as JSON objects (one per line, with their spans) for log shippers' -r -f -a "text\t'Plain lines, for people'
json\t'One object per line, for log shippers'"
complete -c socialcrm -n "__fish_socialcrm_using_subcommand people; and __fish_seen_subcommand_from unlink" -s v -l verbose -d 'More log output on stderr (-v info, -vv debug, -vvv trace)'
complete -c socialcrm -n "__fish_socialcrm_using_subcommand people; and __fish_seen_subcommand_from unlink" -s q -l quiet -d 'Only errors on stderr'
complete -c socialcrm -n "__fish_socialcrm_using_subcommand people; and __fish_seen_subcommand_from unlink" -l no-progress -d 'Never draw progress bars (they are only drawn when stderr is a terminal)'
complete -c socialcrm -n "__fish_socialcrm_using_subcommand people; and __fish_seen_subcommand_from unlink" -l csv-raw -d 'Write CSV cells exactly as stored: by default a cell that a spreadsheet would run as a formula (starting with =, +, -, @, tab or CR, and not a plain number) gets a leading \''
complete -c socialcrm -n "__fish_socialcrm_using_subcommand people; and __fish_seen_subcommand_from unlink" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c socialcrm -n "__fish_socialcrm_using_subcommand people; and __fish_seen_subcommand_from unlink" -s V -l version -d 'Print version'
complete -c socialcrm -n "__fish_socialcrm_using_subcommand people; and __fish_seen_subcommand_from suggest" -s a -l account -d 'Only pairs where at least one fan is known to this account' -r
complete -c socialcrm -n "__fish_socialcrm_using_subcommand people; and __fish_seen_subcommand_from suggest" -l min-confidence -d 'Least confidence to propose (0 to 1)' -r
complete -c socialcrm -n "__fish_socialcrm_using_subcommand people; and __fish_seen_subcommand_from suggest" -l limit -d 'Most suggestions to print, the most confident first' -r
complete -c socialcrm -n "__fish_socialcrm_using_subcommand people; and __fish_seen_subcommand_from suggest" -l database-url -d 'The CRM database: postgres://user@host/db for PostgreSQL, sqlite:PATH for another SQLite file [default: $XDG_DATA_HOME/socialcrm/crm.db]' -r
complete -c socialcrm -n "__fish_socialcrm_using_subcommand people; and __fish_seen_subcommand_from suggest" -l config -d 'Config file to read [default: $XDG_CONFIG_HOME/socialcrm/config.toml]' -r -F
complete -c socialcrm -n "__fish_socialcrm_using_subcommand people; and __fish_seen_subcommand_from suggest" -s o -l output -d 'How to print results [default: table]' -r -f -a "table\t'Aligned columns for people'
json\t'A JSON document with stable field names, for scripts'
csv\t'Comma-separated values with a header row, for spreadsheets'"
complete -c socialcrm -n "__fish_socialcrm_using_subcommand people; and __fish_seen_subcommand_from suggest" -l log-format -d 'Log lines as text, or as JSON objects (one per line, with their spans) for log shippers' -r -f -a "text\t'Plain lines, for people'
json\t'One object per line, for log shippers'"
complete -c socialcrm -n "__fish_socialcrm_using_subcommand people; and __fish_seen_subcommand_from suggest" -s v -l verbose -d 'More log output on stderr (-v info, -vv debug, -vvv trace)'
complete -c socialcrm -n "__fish_socialcrm_using_subcommand people; and __fish_seen_subcommand_from suggest" -s q -l quiet -d 'Only errors on stderr'
complete -c socialcrm -n "__fish_socialcrm_using_subcommand people; and __fish_seen_subcommand_from suggest" -l no-progress -d 'Never draw progress bars (they are only drawn when stderr is a terminal)'
complete -c socialcrm -n "__fish_socialcrm_using_subcommand people; and __fish_seen_subcommand_from suggest" -l csv-raw -d 'Write CSV cells exactly as stored: by default a cell that a spreadsheet would run as a formula (starting with =, +, -, @, tab or CR, and not a plain number) gets a leading \''
complete -c socialcrm -n "__fish_socialcrm_using_subcommand people; and __fish_seen_subcommand_from suggest" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c socialcrm -n "__fish_socialcrm_using_subcommand people; and __fish_seen_subcommand_from suggest" -s V -l version -d 'Print version'
complete -c socialcrm -n "__fish_socialcrm_using_subcommand people; and __fish_seen_subcommand_from accept" -l note -d 'Why: kept with the decision' -r
complete -c socialcrm -n "__fish_socialcrm_using_subcommand people; and __fish_seen_subcommand_from accept" -l database-url -d 'The CRM database: postgres://user@host/db for PostgreSQL, sqlite:PATH for another SQLite file [default: $XDG_DATA_HOME/socialcrm/crm.db]' -r
complete -c socialcrm -n "__fish_socialcrm_using_subcommand people; and __fish_seen_subcommand_from accept" -l config -d 'Config file to read [default: $XDG_CONFIG_HOME/socialcrm/config.toml]' -r -F
complete -c socialcrm -n "__fish_socialcrm_using_subcommand people; and __fish_seen_subcommand_from accept" -s o -l output -d 'How to print results [default: table]' -r -f -a "table\t'Aligned columns for people'
json\t'A JSON document with stable field names, for scripts'
csv\t'Comma-separated values with a header row, for spreadsheets'"
complete -c socialcrm -n "__fish_socialcrm_using_subcommand people; and __fish_seen_subcommand_from accept" -l log-format -d 'Log lines as text, or as JSON objects (one per line, with their spans) for log shippers' -r -f -a "text\t'Plain lines, for people'
json\t'One object per line, for log shippers'"
complete -c socialcrm -n "__fish_socialcrm_using_subcommand people; and __fish_seen_subcommand_from accept" -s v -l verbose -d 'More log output on stderr (-v info, -vv debug, -vvv trace)'
complete -c socialcrm -n "__fish_socialcrm_using_subcommand people; and __fish_seen_subcommand_from accept" -s q -l quiet -d 'Only errors on stderr'
complete -c socialcrm -n "__fish_socialcrm_using_subcommand people; and __fish_seen_subcommand_from accept" -l no-progress -d 'Never draw progress bars (they are only drawn when stderr is a terminal)'
complete -c socialcrm -n "__fish_socialcrm_using_subcommand people; and __fish_seen_subcommand_from accept" -l csv-raw -d 'Write CSV cells exactly as stored: by default a cell that a spreadsheet would run as a formula (starting with =, +, -, @, tab or CR, and not a plain number) gets a leading \''
complete -c socialcrm -n "__fish_socialcrm_using_subcommand people; and __fish_seen_subcommand_from accept" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c socialcrm -n "__fish_socialcrm_using_subcommand people; and __fish_seen_subcommand_from accept" -s V -l version -d 'Print version'
complete -c socialcrm -n "__fish_socialcrm_using_subcommand people; and __fish_seen_subcommand_from reject" -l note -d 'Why: kept with the decision' -r
complete -c socialcrm -n "__fish_socialcrm_using_subcommand people; and __fish_seen_subcommand_from reject" -l database-url -d 'The CRM database: postgres://user@host/db for PostgreSQL, sqlite:PATH for another SQLite file [default: $XDG_DATA_HOME/socialcrm/crm.db]' -r
complete -c socialcrm -n "__fish_socialcrm_using_subcommand people; and __fish_seen_subcommand_from reject" -l config -d 'Config file to read [default: $XDG_CONFIG_HOME/socialcrm/config.toml]' -r -F
complete -c socialcrm -n "__fish_socialcrm_using_subcommand people; and __fish_seen_subcommand_from reject" -s o -l output -d 'How to print results [default: table]' -r -f -a "table\t'Aligned columns for people'
json\t'A JSON document with stable field names, for scripts'
csv\t'Comma-separated values with a header row, for spreadsheets'"
complete -c socialcrm -n "__fish_socialcrm_using_subcommand people; and __fish_seen_subcommand_from reject" -l log-format -d 'Log lines as text, or as JSON objects (one per line, with their spans) for log shippers' -r -f -a "text\t'Plain lines, for people'
json\t'One object per line, for log shippers'"
complete -c socialcrm -n "__fish_socialcrm_using_subcommand people; and __fish_seen_subcommand_from reject" -s v -l verbose -d 'More log output on stderr (-v info, -vv debug, -vvv trace)'
complete -c socialcrm -n "__fish_socialcrm_using_subcommand people; and __fish_seen_subcommand_from reject" -s q -l quiet -d 'Only errors on stderr'
complete -c socialcrm -n "__fish_socialcrm_using_subcommand people; and __fish_seen_subcommand_from reject" -l no-progress -d 'Never draw progress bars (they are only drawn when stderr is a terminal)'
complete -c socialcrm -n "__fish_socialcrm_using_subcommand people; and __fish_seen_subcommand_from reject" -l csv-raw -d 'Write CSV cells exactly as stored: by default a cell that a spreadsheet would run as a formula (starting with =, +, -, @, tab or CR, and not a plain number) gets a leading \''
complete -c socialcrm -n "__fish_socialcrm_using_subcommand people; and __fish_seen_subcommand_from reject" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c socialcrm -n "__fish_socialcrm_using_subcommand people; and __fish_seen_subcommand_from reject" -s V -l version -d 'Print version'
complete -c socialcrm -n "__fish_socialcrm_using_subcommand people; and __fish_seen_subcommand_from help" -f -a "list" -d 'List people (fan identities linked across platforms), a page at a time'
complete -c socialcrm -n "__fish_socialcrm_using_subcommand people; and __fish_seen_subcommand_from help" -f -a "show" -d 'Show one person: every identity, per-account spend and activity, a message timeline'
complete -c socialcrm -n "__fish_socialcrm_using_subcommand people; and __fish_seen_subcommand_from help" -f -a "link" -d 'Link fan identities as one person (an operator\'s decision, kept with your name)'
complete -c socialcrm -n "__fish_socialcrm_using_subcommand people; and __fish_seen_subcommand_from help" -f -a "unlink" -d 'Take a fan out of its person, undoing the link exactly'
complete -c socialcrm -n "__fish_socialcrm_using_subcommand people; and __fish_seen_subcommand_from help" -f -a "suggest" -d 'Propose fan identities on different platforms that may be one person, with evidence'
complete -c socialcrm -n "__fish_socialcrm_using_subcommand people; and __fish_seen_subcommand_from help" -f -a "accept" -d 'Link a suggested pair (by its ID from `people suggest`), recording its evidence'
complete -c socialcrm -n "__fish_socialcrm_using_subcommand people; and __fish_seen_subcommand_from help" -f -a "reject" -d 'Record that a suggested pair is not one person: it is never suggested again'
complete -c socialcrm -n "__fish_socialcrm_using_subcommand people; and __fish_seen_subcommand_from help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c socialcrm -n "__fish_socialcrm_using_subcommand posts; and not __fish_seen_subcommand_from list show help" -l database-url -d 'The CRM database: postgres://user@host/db for PostgreSQL, sqlite:PATH for another SQLite file [default: $XDG_DATA_HOME/socialcrm/crm.db]' -r
complete -c socialcrm -n "__fish_socialcrm_using_subcommand posts; and not __fish_seen_subcommand_from list show help" -l config -d 'Config file to read [default: $XDG_CONFIG_HOME/socialcrm/config.toml]' -r -F
complete -c socialcrm -n "__fish_socialcrm_using_subcommand posts; and not __fish_seen_subcommand_from list show help" -s o -l output -d 'How to print results [default: table]' -r -f -a "table\t'Aligned columns for people'
json\t'A JSON document with stable field names, for scripts'
csv\t'Comma-separated values with a header row, for spreadsheets'"
complete -c socialcrm -n "__fish_socialcrm_using_subcommand posts; and not __fish_seen_subcommand_from list show help" -l log-format -d 'Log lines as text, or as JSON objects (one per line, with their spans) for log shippers' -r -f -a "text\t'Plain lines, for people'
json\t'One object per line, for log shippers'"
complete -c socialcrm -n "__fish_socialcrm_using_subcommand posts; and not __fish_seen_subcommand_from list show help" -s v -l verbose -d 'More log output on stderr (-v info, -vv debug, -vvv trace)'
complete -c socialcrm -n "__fish_socialcrm_using_subcommand posts; and not __fish_seen_subcommand_from list show help" -s q -l quiet -d 'Only errors on stderr'
complete -c socialcrm -n "__fish_socialcrm_using_subcommand posts; and not __fish_seen_subcommand_from list show help" -l no-progress -d 'Never draw progress bars (they are only drawn when stderr is a terminal)'
complete -c socialcrm -n "__fish_socialcrm_using_subcommand posts; and not __fish_seen_subcommand_from list show help" -l csv-raw -d 'Write CSV cells exactly as stored: by default a cell that a spreadsheet would run as a formula (starting with =, +, -, @, tab or CR, and not a plain number) gets a leading \''
complete -c socialcrm -n "__fish_socialcrm_using_subcommand posts; and not __fish_seen_subcommand_from list show help" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c socialcrm -n "__fish_socialcrm_using_subcommand posts; and not __fish_seen_subcommand_from list show help" -s V -l version -d 'Print version'
complete -c socialcrm -n "__fish_socialcrm_using_subcommand posts; and not __fish_seen_subcommand_from list show help" -f -a "list" -d 'List synced posts (videos, media, submissions, tweets) with their latest metrics'
complete -c socialcrm -n "__fish_socialcrm_using_subcommand posts; and not __fish_seen_subcommand_from list show help" -f -a "show" -d 'Show one post: caption, URL, media type, published, latest metrics and their history'
complete -c socialcrm -n "__fish_socialcrm_using_subcommand posts; and not __fish_seen_subcommand_from list show help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c socialcrm -n "__fish_socialcrm_using_subcommand posts; and __fish_seen_subcommand_from list" -l account -d 'Only posts of this local account (the name given to `connect --account`)' -r
complete -c socialcrm -n "__fish_socialcrm_using_subcommand posts; and __fish_seen_subcommand_from list" -s p -l platform -d 'Only posts on this platform' -r -f -a "tiktok\t''
instagram\t''
reddit\t''
x\t''
onlyfans\t''"
complete -c socialcrm -n "__fish_socialcrm_using_subcommand posts; and __fish_seen_subcommand_from list" -l since -d 'Only posts published at or after this date (2026-11-01, RFC 3339, or 7d/12h ago)' -r
complete -c socialcrm -n "__fish_socialcrm_using_subcommand posts; and __fish_seen_subcommand_from list" -l until -d 'Only posts published before this date' -r
complete -c socialcrm -n "__fish_socialcrm_using_subcommand posts; and __fish_seen_subcommand_from list" -s s -l search -d 'Only posts whose caption contains TEXT (any case)' -r
complete -c socialcrm -n "__fish_socialcrm_using_subcommand posts; and __fish_seen_subcommand_from list" -l sort -d 'What to order by' -r -f -a "published\t'Publication time'
views\t'Latest view count'
likes\t'Latest like count'
comments\t'Latest comment count'
shares\t'Latest share count'"
complete -c socialcrm -n "__fish_socialcrm_using_subcommand posts; and __fish_seen_subcommand_from list" -l limit -d 'Most rows to print (1 to 10000)' -r
complete -c socialcrm -n "__fish_socialcrm_using_subcommand posts; and __fish_seen_subcommand_from list" -l after -d 'Continue after the row with this id (the `id` of the last row printed)' -r
complete -c socialcrm -n "__fish_socialcrm_using_subcommand posts; and __fish_seen_subcommand_from list" -l database-url -d 'The CRM database: postgres://user@host/db for PostgreSQL, sqlite:PATH for another SQLite file [default: $XDG_DATA_HOME/socialcrm/crm.db]' -r
complete -c socialcrm -n "__fish_socialcrm_using_subcommand posts; and __fish_seen_subcommand_from list" -l config -d 'Config file to read [default: $XDG_CONFIG_HOME/socialcrm/config.toml]' -r -F
complete -c socialcrm -n "__fish_socialcrm_using_subcommand posts; and __fish_seen_subcommand_from list" -s o -l output -d 'How to print results [default: table]' -r -f -a "table\t'Aligned columns for people'
json\t'A JSON document with stable field names, for scripts'
csv\t'Comma-separated values with a header row, for spreadsheets'"
complete -c socialcrm -n "__fish_socialcrm_using_subcommand posts; and __fish_seen_subcommand_from list" -l log-format -d 'Log lines as text, or as JSON objects (one per line, with their spans) for log shippers' -r -f -a "text\t'Plain lines, for people'
json\t'One object per line, for log shippers'"
complete -c socialcrm -n "__fish_socialcrm_using_subcommand posts; and __fish_seen_subcommand_from list" -l desc -d 'Newest or highest first'
complete -c socialcrm -n "__fish_socialcrm_using_subcommand posts; and __fish_seen_subcommand_from list" -s v -l verbose -d 'More log output on stderr (-v info, -vv debug, -vvv trace)'
complete -c socialcrm -n "__fish_socialcrm_using_subcommand posts; and __fish_seen_subcommand_from list" -s q -l quiet -d 'Only errors on stderr'
complete -c socialcrm -n "__fish_socialcrm_using_subcommand posts; and __fish_seen_subcommand_from list" -l no-progress -d 'Never draw progress bars (they are only drawn when stderr is a terminal)'
complete -c socialcrm -n "__fish_socialcrm_using_subcommand posts; and __fish_seen_subcommand_from list" -l csv-raw -d 'Write CSV cells exactly as stored: by default a cell that a spreadsheet would run as a formula (starting with =, +, -, @, tab or CR, and not a plain number) gets a leading \''
complete -c socialcrm -n "__fish_socialcrm_using_subcommand posts; and __fish_seen_subcommand_from list" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c socialcrm -n "__fish_socialcrm_using_subcommand posts; and __fish_seen_subcommand_from list" -s V -l version -d 'Print version'
complete -c socialcrm -n "__fish_socialcrm_using_subcommand posts; and __fish_seen_subcommand_from show" -l database-url -d 'The CRM database: postgres://user@host/db for PostgreSQL, sqlite:PATH for another SQLite file [default: $XDG_DATA_HOME/socialcrm/crm.db]' -r
complete -c socialcrm -n "__fish_socialcrm_using_subcommand posts; and __fish_seen_subcommand_from show" -l config -d 'Config file to read [default: $XDG_CONFIG_HOME/socialcrm/config.toml]' -r -F
complete -c socialcrm -n "__fish_socialcrm_using_subcommand posts; and __fish_seen_subcommand_from show" -s o -l output -d 'How to print results [default: table]' -r -f -a "table\t'Aligned columns for people'
json\t'A JSON document with stable field names, for scripts'
csv\t'Comma-separated values with a header row, for spreadsheets'"
complete -c socialcrm -n "__fish_socialcrm_using_subcommand posts; and __fish_seen_subcommand_from show" -l log-format -d 'Log lines as text, or as JSON objects (one per line, with their spans) for log shippers' -r -f -a "text\t'Plain lines, for people'
json\t'One object per line, for log shippers'"
complete -c socialcrm -n "__fish_socialcrm_using_subcommand posts; and __fish_seen_subcommand_from show" -s v -l verbose -d 'More log output on stderr (-v info, -vv debug, -vvv trace)'
complete -c socialcrm -n "__fish_socialcrm_using_subcommand posts; and __fish_seen_subcommand_from show" -s q -l quiet -d 'Only errors on stderr'
complete -c socialcrm -n "__fish_socialcrm_using_subcommand posts; and __fish_seen_subcommand_from show" -l no-progress -d 'Never draw progress bars (they are only drawn when stderr is a terminal)'
complete -c socialcrm -n "__fish_socialcrm_using_subcommand posts; and __fish_seen_subcommand_from show" -l csv-raw -d 'Write CSV cells exactly as stored: by default a cell that a spreadsheet would run as a formula (starting with =, +, -, @, tab or CR, and not a plain number) gets a leading \''
complete -c socialcrm -n "__fish_socialcrm_using_subcommand posts; and __fish_seen_subcommand_from show" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c socialcrm -n "__fish_socialcrm_using_subcommand posts; and __fish_seen_subcommand_from show" -s V -l version -d 'Print version'
complete -c socialcrm -n "__fish_socialcrm_using_subcommand posts; and __fish_seen_subcommand_from help" -f -a "list" -d 'List synced posts (videos, media, submissions, tweets) with their latest metrics'
complete -c socialcrm -n "__fish_socialcrm_using_subcommand posts; and __fish_seen_subcommand_from help" -f -a "show" -d 'Show one post: caption, URL, media type, published, latest metrics and their history'
complete -c socialcrm -n "__fish_socialcrm_using_subcommand posts; and __fish_seen_subcommand_from help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c socialcrm -n "__fish_socialcrm_using_subcommand export" -s t -l table -d 'Export only this table (repeatable); every CRM table by default (see the README\'s "Export" section for their columns). `secrets` is never exported' -r
complete -c socialcrm -n "__fish_socialcrm_using_subcommand export" -l segment -d 'Only the rows about the fans of this segment (built in: whales, new, cold; or saved): the `fans` rows of its members by default; name fan_accounts, messages, fan_tags or fan_notes with --table for their relationships, messages, tags and notes, judged in the same snapshot' -r
complete -c socialcrm -n "__fish_socialcrm_using_subcommand export" -s f -l format -d 'File format' -r -f -a "csv\t'Comma-separated values with a header row: NULL is an empty cell, an empty text `""`'
jsonl\t'JSON Lines: one object per row, numbers as numbers, NULL as null'"
complete -c socialcrm -n "__fish_socialcrm_using_subcommand export" -l out -d 'Directory to write TABLE.csv / TABLE.jsonl into (created if missing; files of the same name are replaced), or `-` for stdout (then exactly one --table)' -r -F
complete -c socialcrm -n "__fish_socialcrm_using_subcommand export" -l database-url -d 'The CRM database: postgres://user@host/db for PostgreSQL, sqlite:PATH for another SQLite file [default: $XDG_DATA_HOME/socialcrm/crm.db]' -r
complete -c socialcrm -n "__fish_socialcrm_using_subcommand export" -l config -d 'Config file to read [default: $XDG_CONFIG_HOME/socialcrm/config.toml]' -r -F
complete -c socialcrm -n "__fish_socialcrm_using_subcommand export" -s o -l output -d 'How to print results [default: table]' -r -f -a "table\t'Aligned columns for people'
json\t'A JSON document with stable field names, for scripts'
csv\t'Comma-separated values with a header row, for spreadsheets'"
complete -c socialcrm -n "__fish_socialcrm_using_subcommand export" -l log-format -d 'Log lines as text, or as JSON objects (one per line, with their spans) for log shippers' -r -f -a "text\t'Plain lines, for people'
json\t'One object per line, for log shippers'"
complete -c socialcrm -n "__fish_socialcrm_using_subcommand export" -s v -l verbose -d 'More log output on stderr (-v info, -vv debug, -vvv trace)'
complete -c socialcrm -n "__fish_socialcrm_using_subcommand export" -s q -l quiet -d 'Only errors on stderr'
complete -c socialcrm -n "__fish_socialcrm_using_subcommand export" -l no-progress -d 'Never draw progress bars (they are only drawn when stderr is a terminal)'
complete -c socialcrm -n "__fish_socialcrm_using_subcommand export" -l csv-raw -d 'Write CSV cells exactly as stored: by default a cell that a spreadsheet would run as a formula (starting with =, +, -, @, tab or CR, and not a plain number) gets a leading \''
complete -c socialcrm -n "__fish_socialcrm_using_subcommand export" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c socialcrm -n "__fish_socialcrm_using_subcommand export" -s V -l version -d 'Print version'
complete -c socialcrm -n "__fish_socialcrm_using_subcommand audit; and not __fish_seen_subcommand_from list help" -l database-url -d 'The CRM database: postgres://user@host/db for PostgreSQL, sqlite:PATH for another SQLite file [default: $XDG_DATA_HOME/socialcrm/crm.db]' -r
complete -c socialcrm -n "__fish_socialcrm_using_subcommand audit; and not __fish_seen_subcommand_from list help" -l config -d 'Config file to read [default: $XDG_CONFIG_HOME/socialcrm/config.toml]' -r -F
complete -c socialcrm -n "__fish_socialcrm_using_subcommand audit; and not __fish_seen_subcommand_from list help" -s o -l output -d 'How to print results [default: table]' -r -f -a "table\t'Aligned columns for people'
json\t'A JSON document with stable field names, for scripts'
csv\t'Comma-separated values with a header row, for spreadsheets'"
complete -c socialcrm -n "__fish_socialcrm_using_subcommand audit; and not __fish_seen_subcommand_from list help" -l log-format -d 'Log lines as text, or as JSON objects (one per line, with their spans) for log shippers' -r -f -a "text\t'Plain lines, for people'
json\t'One object per line, for log shippers'"
complete -c socialcrm -n "__fish_socialcrm_using_subcommand audit; and not __fish_seen_subcommand_from list help" -s v -l verbose -d 'More log output on stderr (-v info, -vv debug, -vvv trace)'
complete -c socialcrm -n "__fish_socialcrm_using_subcommand audit; and not __fish_seen_subcommand_from list help" -s q -l quiet -d 'Only errors on stderr'
complete -c socialcrm -n "__fish_socialcrm_using_subcommand audit; and not __fish_seen_subcommand_from list help" -l no-progress -d 'Never draw progress bars (they are only drawn when stderr is a terminal)'
complete -c socialcrm -n "__fish_socialcrm_using_subcommand audit; and not __fish_seen_subcommand_from list help" -l csv-raw -d 'Write CSV cells exactly as stored: by default a cell that a spreadsheet would run as a formula (starting with =, +, -, @, tab or CR, and not a plain number) gets a leading \''
complete -c socialcrm -n "__fish_socialcrm_using_subcommand audit; and not __fish_seen_subcommand_from list help" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c socialcrm -n "__fish_socialcrm_using_subcommand audit; and not __fish_seen_subcommand_from list help" -s V -l version -d 'Print version'
complete -c socialcrm -n "__fish_socialcrm_using_subcommand audit; and not __fish_seen_subcommand_from list help" -f -a "list" -d 'List audit entries, oldest first, a page at a time'
complete -c socialcrm -n "__fish_socialcrm_using_subcommand audit; and not __fish_seen_subcommand_from list help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c socialcrm -n "__fish_socialcrm_using_subcommand audit; and __fish_seen_subcommand_from list" -s p -l platform -d 'Only entries about this platform' -r -f -a "tiktok\t''
instagram\t''
reddit\t''
x\t''
onlyfans\t''"
complete -c socialcrm -n "__fish_socialcrm_using_subcommand audit; and __fish_seen_subcommand_from list" -l action -d 'Only entries of this action (connect, sync, import, ...)' -r
complete -c socialcrm -n "__fish_socialcrm_using_subcommand audit; and __fish_seen_subcommand_from list" -s s -l search -d 'Only entries whose action, actor, account or detail contains TEXT (any case)' -r
complete -c socialcrm -n "__fish_socialcrm_using_subcommand audit; and __fish_seen_subcommand_from list" -l since -d 'Only entries at or after this date (2026-11-01, RFC 3339, or 7d/12h ago)' -r
complete -c socialcrm -n "__fish_socialcrm_using_subcommand audit; and __fish_seen_subcommand_from list" -l until -d 'Only entries before this date' -r
complete -c socialcrm -n "__fish_socialcrm_using_subcommand audit; and __fish_seen_subcommand_from list" -l limit -d 'Most rows to print (1 to 10000)' -r
complete -c socialcrm -n "__fish_socialcrm_using_subcommand audit; and __fish_seen_subcommand_from list" -l after -d 'Continue after the row with this id (the `id` of the last row printed)' -r
complete -c socialcrm -n "__fish_socialcrm_using_subcommand audit; and __fish_seen_subcommand_from list" -l database-url -d 'The CRM database: postgres://user@host/db for PostgreSQL, sqlite:PATH for another SQLite file [default: $XDG_DATA_HOME/socialcrm/crm.db]' -r
complete -c socialcrm -n "__fish_socialcrm_using_subcommand audit; and __fish_seen_subcommand_from list" -l config -d 'Config file to read [default: $XDG_CONFIG_HOME/socialcrm/config.toml]' -r -F
complete -c socialcrm -n "__fish_socialcrm_using_subcommand audit; and __fish_seen_subcommand_from list" -s o -l output -d 'How to print results [default: table]' -r -f -a "table\t'Aligned columns for people'
json\t'A JSON document with stable field names, for scripts'
csv\t'Comma-separated values with a header row, for spreadsheets'"
complete -c socialcrm -n "__fish_socialcrm_using_subcommand audit; and __fish_seen_subcommand_from list" -l log-format -d 'Log lines as text, or as JSON objects (one per line, with their spans) for log shippers' -r -f -a "text\t'Plain lines, for people'
json\t'One object per line, for log shippers'"
complete -c socialcrm -n "__fish_socialcrm_using_subcommand audit; and __fish_seen_subcommand_from list" -s v -l verbose -d 'More log output on stderr (-v info, -vv debug, -vvv trace)'
complete -c socialcrm -n "__fish_socialcrm_using_subcommand audit; and __fish_seen_subcommand_from list" -s q -l quiet -d 'Only errors on stderr'
complete -c socialcrm -n "__fish_socialcrm_using_subcommand audit; and __fish_seen_subcommand_from list" -l no-progress -d 'Never draw progress bars (they are only drawn when stderr is a terminal)'
complete -c socialcrm -n "__fish_socialcrm_using_subcommand audit; and __fish_seen_subcommand_from list" -l csv-raw -d 'Write CSV cells exactly as stored: by default a cell that a spreadsheet would run as a formula (starting with =, +, -, @, tab or CR, and not a plain number) gets a leading \''
complete -c socialcrm -n "__fish_socialcrm_using_subcommand audit; and __fish_seen_subcommand_from list" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c socialcrm -n "__fish_socialcrm_using_subcommand audit; and __fish_seen_subcommand_from list" -s V -l version -d 'Print version'
complete -c socialcrm -n "__fish_socialcrm_using_subcommand audit; and __fish_seen_subcommand_from help" -f -a "list" -d 'List audit entries, oldest first, a page at a time'
complete -c socialcrm -n "__fish_socialcrm_using_subcommand audit; and __fish_seen_subcommand_from help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c socialcrm -n "__fish_socialcrm_using_subcommand doctor" -l platform -d 'Only check this platform\'s credentials and connections' -r -f -a "tiktok\t''
instagram\t''
reddit\t''
x\t''
onlyfans\t''"
complete -c socialcrm -n "__fish_socialcrm_using_subcommand doctor" -l database-url -d 'The CRM database: postgres://user@host/db for PostgreSQL, sqlite:PATH for another SQLite file [default: $XDG_DATA_HOME/socialcrm/crm.db]' -r
complete -c socialcrm -n "__fish_socialcrm_using_subcommand doctor" -l config -d 'Config file to read [default: $XDG_CONFIG_HOME/socialcrm/config.toml]' -r -F
complete -c socialcrm -n "__fish_socialcrm_using_subcommand doctor" -s o -l output -d 'How to print results [default: table]' -r -f -a "table\t'Aligned columns for people'
json\t'A JSON document with stable field names, for scripts'
csv\t'Comma-separated values with a header row, for spreadsheets'"
complete -c socialcrm -n "__fish_socialcrm_using_subcommand doctor" -l log-format -d 'Log lines as text, or as JSON objects (one per line, with their spans) for log shippers' -r -f -a "text\t'Plain lines, for people'
json\t'One object per line, for log shippers'"
complete -c socialcrm -n "__fish_socialcrm_using_subcommand doctor" -s v -l verbose -d 'More log output on stderr (-v info, -vv debug, -vvv trace)'
complete -c socialcrm -n "__fish_socialcrm_using_subcommand doctor" -s q -l quiet -d 'Only errors on stderr'
complete -c socialcrm -n "__fish_socialcrm_using_subcommand doctor" -l no-progress -d 'Never draw progress bars (they are only drawn when stderr is a terminal)'
complete -c socialcrm -n "__fish_socialcrm_using_subcommand doctor" -l csv-raw -d 'Write CSV cells exactly as stored: by default a cell that a spreadsheet would run as a formula (starting with =, +, -, @, tab or CR, and not a plain number) gets a leading \''
complete -c socialcrm -n "__fish_socialcrm_using_subcommand doctor" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c socialcrm -n "__fish_socialcrm_using_subcommand doctor" -s V -l version -d 'Print version'
complete -c socialcrm -n "__fish_socialcrm_using_subcommand db; and not __fish_seen_subcommand_from migrate status help" -l database-url -d 'The CRM database: postgres://user@host/db for PostgreSQL, sqlite:PATH for another SQLite file [default: $XDG_DATA_HOME/socialcrm/crm.db]' -r
complete -c socialcrm -n "__fish_socialcrm_using_subcommand db; and not __fish_seen_subcommand_from migrate status help" -l config -d 'Config file to read [default: $XDG_CONFIG_HOME/socialcrm/config.toml]' -r -F
complete -c socialcrm -n "__fish_socialcrm_using_subcommand db; and not __fish_seen_subcommand_from migrate status help" -s o -l output -d 'How to print results [default: table]' -r -f -a "table\t'Aligned columns for people'
json\t'A JSON document with stable field names, for scripts'
csv\t'Comma-separated values with a header row, for spreadsheets'"
complete -c socialcrm -n "__fish_socialcrm_using_subcommand db; and not __fish_seen_subcommand_from migrate status help" -l log-format -d 'Log lines as text, or as JSON objects (one per line, with their spans) for log shippers' -r -f -a "text\t'Plain lines, for people'
json\t'One object per line, for log shippers'"
complete -c socialcrm -n "__fish_socialcrm_using_subcommand db; and not __fish_seen_subcommand_from migrate status help" -s v -l verbose -d 'More log output on stderr (-v info, -vv debug, -vvv trace)'
complete -c socialcrm -n "__fish_socialcrm_using_subcommand db; and not __fish_seen_subcommand_from migrate status help" -s q -l quiet -d 'Only errors on stderr'
complete -c socialcrm -n "__fish_socialcrm_using_subcommand db; and not __fish_seen_subcommand_from migrate status help" -l no-progress -d 'Never draw progress bars (they are only drawn when stderr is a terminal)'
complete -c socialcrm -n "__fish_socialcrm_using_subcommand db; and not __fish_seen_subcommand_from migrate status help" -l csv-raw -d 'Write CSV cells exactly as stored: by default a cell that a spreadsheet would run as a formula (starting with =, +, -, @, tab or CR, and not a plain number) gets a leading \''
complete -c socialcrm -n "__fish_socialcrm_using_subcommand db; and not __fish_seen_subcommand_from migrate status help" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c socialcrm -n "__fish_socialcrm_using_subcommand db; and not __fish_seen_subcommand_from migrate status help" -s V -l version -d 'Print version'
complete -c socialcrm -n "__fish_socialcrm_using_subcommand db; and not __fish_seen_subcommand_from migrate status help" -f -a "migrate" -d 'Apply pending schema migrations (other commands also do this on first use)'
complete -c socialcrm -n "__fish_socialcrm_using_subcommand db; and not __fish_seen_subcommand_from migrate status help" -f -a "status" -d 'Show the backend, location, schema version and row counts per table'
complete -c socialcrm -n "__fish_socialcrm_using_subcommand db; and not __fish_seen_subcommand_from migrate status help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c socialcrm -n "__fish_socialcrm_using_subcommand db; and __fish_seen_subcommand_from migrate" -l database-url -d 'The CRM database: postgres://user@host/db for PostgreSQL, sqlite:PATH for another SQLite file [default: $XDG_DATA_HOME/socialcrm/crm.db]' -r
complete -c socialcrm -n "__fish_socialcrm_using_subcommand db; and __fish_seen_subcommand_from migrate" -l config -d 'Config file to read [default: $XDG_CONFIG_HOME/socialcrm/config.toml]' -r -F
complete -c socialcrm -n "__fish_socialcrm_using_subcommand db; and __fish_seen_subcommand_from migrate" -s o -l output -d 'How to print results [default: table]' -r -f -a "table\t'Aligned columns for people'
json\t'A JSON document with stable field names, for scripts'
csv\t'Comma-separated values with a header row, for spreadsheets'"
complete -c socialcrm -n "__fish_socialcrm_using_subcommand db; and __fish_seen_subcommand_from migrate" -l log-format -d 'Log lines as text, or as JSON objects (one per line, with their spans) for log shippers' -r -f -a "text\t'Plain lines, for people'
json\t'One object per line, for log shippers'"
complete -c socialcrm -n "__fish_socialcrm_using_subcommand db; and __fish_seen_subcommand_from migrate" -s v -l verbose -d 'More log output on stderr (-v info, -vv debug, -vvv trace)'
complete -c socialcrm -n "__fish_socialcrm_using_subcommand db; and __fish_seen_subcommand_from migrate" -s q -l quiet -d 'Only errors on stderr'
complete -c socialcrm -n "__fish_socialcrm_using_subcommand db; and __fish_seen_subcommand_from migrate" -l no-progress -d 'Never draw progress bars (they are only drawn when stderr is a terminal)'
complete -c socialcrm -n "__fish_socialcrm_using_subcommand db; and __fish_seen_subcommand_from migrate" -l csv-raw -d 'Write CSV cells exactly as stored: by default a cell that a spreadsheet would run as a formula (starting with =, +, -, @, tab or CR, and not a plain number) gets a leading \''
complete -c socialcrm -n "__fish_socialcrm_using_subcommand db; and __fish_seen_subcommand_from migrate" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c socialcrm -n "__fish_socialcrm_using_subcommand db; and __fish_seen_subcommand_from migrate" -s V -l version -d 'Print version'
complete -c socialcrm -n "__fish_socialcrm_using_subcommand db; and __fish_seen_subcommand_from status" -l database-url -d 'The CRM database: postgres://user@host/db for PostgreSQL, sqlite:PATH for another SQLite file [default: $XDG_DATA_HOME/socialcrm/crm.db]' -r
complete -c socialcrm -n "__fish_socialcrm_using_subcommand db; and __fish_seen_subcommand_from status" -l config -d 'Config file to read [default: $XDG_CONFIG_HOME/socialcrm/config.toml]' -r -F
complete -c socialcrm -n "__fish_socialcrm_using_subcommand db; and __fish_seen_subcommand_from status" -s o -l output -d 'How to print results [default: table]' -r -f -a "table\t'Aligned columns for people'
json\t'A JSON document with stable field names, for scripts'
csv\t'Comma-separated values with a header row, for spreadsheets'"
complete -c socialcrm -n "__fish_socialcrm_using_subcommand db; and __fish_seen_subcommand_from status" -l log-format -d 'Log lines as text, or as JSON objects (one per line, with their spans) for log shippers' -r -f -a "text\t'Plain lines, for people'
json\t'One object per line, for log shippers'"
complete -c socialcrm -n "__fish_socialcrm_using_subcommand db; and __fish_seen_subcommand_from status" -l exact -d 'Count every row of every table, however long it takes (PostgreSQL)'
complete -c socialcrm -n "__fish_socialcrm_using_subcommand db; and __fish_seen_subcommand_from status" -s v -l verbose -d 'More log output on stderr (-v info, -vv debug, -vvv trace)'
complete -c socialcrm -n "__fish_socialcrm_using_subcommand db; and __fish_seen_subcommand_from status" -s q -l quiet -d 'Only errors on stderr'
complete -c socialcrm -n "__fish_socialcrm_using_subcommand db; and __fish_seen_subcommand_from status" -l no-progress -d 'Never draw progress bars (they are only drawn when stderr is a terminal)'
complete -c socialcrm -n "__fish_socialcrm_using_subcommand db; and __fish_seen_subcommand_from status" -l csv-raw -d 'Write CSV cells exactly as stored: by default a cell that a spreadsheet would run as a formula (starting with =, +, -, @, tab or CR, and not a plain number) gets a leading \''
complete -c socialcrm -n "__fish_socialcrm_using_subcommand db; and __fish_seen_subcommand_from status" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c socialcrm -n "__fish_socialcrm_using_subcommand db; and __fish_seen_subcommand_from status" -s V -l version -d 'Print version'
complete -c socialcrm -n "__fish_socialcrm_using_subcommand db; and __fish_seen_subcommand_from help" -f -a "migrate" -d 'Apply pending schema migrations (other commands also do this on first use)'
complete -c socialcrm -n "__fish_socialcrm_using_subcommand db; and __fish_seen_subcommand_from help" -f -a "status" -d 'Show the backend, location, schema version and row counts per table'
complete -c socialcrm -n "__fish_socialcrm_using_subcommand db; and __fish_seen_subcommand_from help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c socialcrm -n "__fish_socialcrm_using_subcommand secrets; and not __fish_seen_subcommand_from reset help" -l database-url -d 'The CRM database: postgres://user@host/db for PostgreSQL, sqlite:PATH for another SQLite file [default: $XDG_DATA_HOME/socialcrm/crm.db]' -r
complete -c socialcrm -n "__fish_socialcrm_using_subcommand secrets; and not __fish_seen_subcommand_from reset help" -l config -d 'Config file to read [default: $XDG_CONFIG_HOME/socialcrm/config.toml]' -r -F
complete -c socialcrm -n "__fish_socialcrm_using_subcommand secrets; and not __fish_seen_subcommand_from reset help" -s o -l output -d 'How to print results [default: table]' -r -f -a "table\t'Aligned columns for people'
json\t'A JSON document with stable field names, for scripts'
csv\t'Comma-separated values with a header row, for spreadsheets'"
complete -c socialcrm -n "__fish_socialcrm_using_subcommand secrets; and not __fish_seen_subcommand_from reset help" -l log-format -d 'Log lines as text, or as JSON objects (one per line, with their spans) for log shippers' -r -f -a "text\t'Plain lines, for people'
json\t'One object per line, for log shippers'"
complete -c socialcrm -n "__fish_socialcrm_using_subcommand secrets; and not __fish_seen_subcommand_from reset help" -s v -l verbose -d 'More log output on stderr (-v info, -vv debug, -vvv trace)'
complete -c socialcrm -n "__fish_socialcrm_using_subcommand secrets; and not __fish_seen_subcommand_from reset help" -s q -l quiet -d 'Only errors on stderr'
complete -c socialcrm -n "__fish_socialcrm_using_subcommand secrets; and not __fish_seen_subcommand_from reset help" -l no-progress -d 'Never draw progress bars (they are only drawn when stderr is a terminal)'
complete -c socialcrm -n "__fish_socialcrm_using_subcommand secrets; and not __fish_seen_subcommand_from reset help" -l csv-raw -d 'Write CSV cells exactly as stored: by default a cell that a spreadsheet would run as a formula (starting with =, +, -, @, tab or CR, and not a plain number) gets a leading \''
complete -c socialcrm -n "__fish_socialcrm_using_subcommand secrets; and not __fish_seen_subcommand_from reset help" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c socialcrm -n "__fish_socialcrm_using_subcommand secrets; and not __fish_seen_subcommand_from reset help" -s V -l version -d 'Print version'
complete -c socialcrm -n "__fish_socialcrm_using_subcommand secrets; and not __fish_seen_subcommand_from reset help" -f -a "reset" -d 'Delete the stored tokens the current master key cannot open, after a lost master.key or SOCIALCRM_MASTER_KEY'
complete -c socialcrm -n "__fish_socialcrm_using_subcommand secrets; and not __fish_seen_subcommand_from reset help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c socialcrm -n "__fish_socialcrm_using_subcommand secrets; and __fish_seen_subcommand_from reset" -s p -l platform -d 'Only secrets of this platform' -r -f -a "tiktok\t''
instagram\t''
reddit\t''
x\t''
onlyfans\t''"
complete -c socialcrm -n "__fish_socialcrm_using_subcommand secrets; and __fish_seen_subcommand_from reset" -l account -d 'Only secrets of the account with this local name' -r
complete -c socialcrm -n "__fish_socialcrm_using_subcommand secrets; and __fish_seen_subcommand_from reset" -l database-url -d 'The CRM database: postgres://user@host/db for PostgreSQL, sqlite:PATH for another SQLite file [default: $XDG_DATA_HOME/socialcrm/crm.db]' -r
complete -c socialcrm -n "__fish_socialcrm_using_subcommand secrets; and __fish_seen_subcommand_from reset" -l config -d 'Config file to read [default: $XDG_CONFIG_HOME/socialcrm/config.toml]' -r -F
complete -c socialcrm -n "__fish_socialcrm_using_subcommand secrets; and __fish_seen_subcommand_from reset" -s o -l output -d 'How to print results [default: table]' -r -f -a "table\t'Aligned columns for people'
json\t'A JSON document with stable field names, for scripts'
csv\t'Comma-separated values with a header row, for spreadsheets'"
complete -c socialcrm -n "__fish_socialcrm_using_subcommand secrets; and __fish_seen_subcommand_from reset" -l log-format -d 'Log lines as text, or as JSON objects (one per line, with their spans) for log shippers' -r -f -a "text\t'Plain lines, for people'
json\t'One object per line, for log shippers'"
complete -c socialcrm -n "__fish_socialcrm_using_subcommand secrets; and __fish_seen_subcommand_from reset" -l yes -d 'Delete them (without it, only list what would be deleted)'
complete -c socialcrm -n "__fish_socialcrm_using_subcommand secrets; and __fish_seen_subcommand_from reset" -s v -l verbose -d 'More log output on stderr (-v info, -vv debug, -vvv trace)'
complete -c socialcrm -n "__fish_socialcrm_using_subcommand secrets; and __fish_seen_subcommand_from reset" -s q -l quiet -d 'Only errors on stderr'
complete -c socialcrm -n "__fish_socialcrm_using_subcommand secrets; and __fish_seen_subcommand_from reset" -l no-progress -d 'Never draw progress bars (they are only drawn when stderr is a terminal)'
complete -c socialcrm -n "__fish_socialcrm_using_subcommand secrets; and __fish_seen_subcommand_from reset" -l csv-raw -d 'Write CSV cells exactly as stored: by default a cell that a spreadsheet would run as a formula (starting with =, +, -, @, tab or CR, and not a plain number) gets a leading \''
complete -c socialcrm -n "__fish_socialcrm_using_subcommand secrets; and __fish_seen_subcommand_from reset" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c socialcrm -n "__fish_socialcrm_using_subcommand secrets; and __fish_seen_subcommand_from reset" -s V -l version -d 'Print version'
complete -c socialcrm -n "__fish_socialcrm_using_subcommand secrets; and __fish_seen_subcommand_from help" -f -a "reset" -d 'Delete the stored tokens the current master key cannot open, after a lost master.key or SOCIALCRM_MASTER_KEY'
complete -c socialcrm -n "__fish_socialcrm_using_subcommand secrets; and __fish_seen_subcommand_from help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c socialcrm -n "__fish_socialcrm_using_subcommand webhooks; and not __fish_seen_subcommand_from serve help" -l database-url -d 'The CRM database: postgres://user@host/db for PostgreSQL, sqlite:PATH for another SQLite file [default: $XDG_DATA_HOME/socialcrm/crm.db]' -r
complete -c socialcrm -n "__fish_socialcrm_using_subcommand webhooks; and not __fish_seen_subcommand_from serve help" -l config -d 'Config file to read [default: $XDG_CONFIG_HOME/socialcrm/config.toml]' -r -F
complete -c socialcrm -n "__fish_socialcrm_using_subcommand webhooks; and not __fish_seen_subcommand_from serve help" -s o -l output -d 'How to print results [default: table]' -r -f -a "table\t'Aligned columns for people'
json\t'A JSON document with stable field names, for scripts'
csv\t'Comma-separated values with a header row, for spreadsheets'"
complete -c socialcrm -n "__fish_socialcrm_using_subcommand webhooks; and not __fish_seen_subcommand_from serve help" -l log-format -d 'Log lines as text, or as JSON objects (one per line, with their spans) for log shippers' -r -f -a "text\t'Plain lines, for people'
json\t'One object per line, for log shippers'"
complete -c socialcrm -n "__fish_socialcrm_using_subcommand webhooks; and not __fish_seen_subcommand_from serve help" -s v -l verbose -d 'More log output on stderr (-v info, -vv debug, -vvv trace)'
complete -c socialcrm -n "__fish_socialcrm_using_subcommand webhooks; and not __fish_seen_subcommand_from serve help" -s q -l quiet -d 'Only errors on stderr'
complete -c socialcrm -n "__fish_socialcrm_using_subcommand webhooks; and not __fish_seen_subcommand_from serve help" -l no-progress -d 'Never draw progress bars (they are only drawn when stderr is a terminal)'
complete -c socialcrm -n "__fish_socialcrm_using_subcommand webhooks; and not __fish_seen_subcommand_from serve help" -l csv-raw -d 'Write CSV cells exactly as stored: by default a cell that a spreadsheet would run as a formula (starting with =, +, -, @, tab or CR, and not a plain number) gets a leading \''
complete -c socialcrm -n "__fish_socialcrm_using_subcommand webhooks; and not __fish_seen_subcommand_from serve help" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c socialcrm -n "__fish_socialcrm_using_subcommand webhooks; and not __fish_seen_subcommand_from serve help" -s V -l version -d 'Print version'
complete -c socialcrm -n "__fish_socialcrm_using_subcommand webhooks; and not __fish_seen_subcommand_from serve help" -f -a "serve" -d 'Receive TikTok (POST /webhooks/tiktok), Instagram and X (GET+POST /webhooks/instagram, /webhooks/x) webhooks into the CRM'
complete -c socialcrm -n "__fish_socialcrm_using_subcommand webhooks; and not __fish_seen_subcommand_from serve help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c socialcrm -n "__fish_socialcrm_using_subcommand webhooks; and __fish_seen_subcommand_from serve" -l bind -d 'Address and port to listen on (keep it on loopback behind a proxy)' -r
complete -c socialcrm -n "__fish_socialcrm_using_subcommand webhooks; and __fish_seen_subcommand_from serve" -l rate -d 'Most requests accepted per second from one peer address (with bursts of as many); more get 429' -r
complete -c socialcrm -n "__fish_socialcrm_using_subcommand webhooks; and __fish_seen_subcommand_from serve" -l database-url -d 'The CRM database: postgres://user@host/db for PostgreSQL, sqlite:PATH for another SQLite file [default: $XDG_DATA_HOME/socialcrm/crm.db]' -r
complete -c socialcrm -n "__fish_socialcrm_using_subcommand webhooks; and __fish_seen_subcommand_from serve" -l config -d 'Config file to read [default: $XDG_CONFIG_HOME/socialcrm/config.toml]' -r -F
complete -c socialcrm -n "__fish_socialcrm_using_subcommand webhooks; and __fish_seen_subcommand_from serve" -s o -l output -d 'How to print results [default: table]' -r -f -a "table\t'Aligned columns for people'
json\t'A JSON document with stable field names, for scripts'
csv\t'Comma-separated values with a header row, for spreadsheets'"
complete -c socialcrm -n "__fish_socialcrm_using_subcommand webhooks; and __fish_seen_subcommand_from serve" -l log-format -d 'Log lines as text, or as JSON objects (one per line, with their spans) for log shippers' -r -f -a "text\t'Plain lines, for people'
json\t'One object per line, for log shippers'"
complete -c socialcrm -n "__fish_socialcrm_using_subcommand webhooks; and __fish_seen_subcommand_from serve" -l trust-proxy -d 'Behind a reverse proxy: the peer of a request is the right-most X-Forwarded-For address (the one the proxy added), and the proxy itself is not capped per address. Only when nothing but the proxy can reach --bind; without it the header is ignored'
complete -c socialcrm -n "__fish_socialcrm_using_subcommand webhooks; and __fish_seen_subcommand_from serve" -s v -l verbose -d 'More log output on stderr (-v info, -vv debug, -vvv trace)'
complete -c socialcrm -n "__fish_socialcrm_using_subcommand webhooks; and __fish_seen_subcommand_from serve" -s q -l quiet -d 'Only errors on stderr'
complete -c socialcrm -n "__fish_socialcrm_using_subcommand webhooks; and __fish_seen_subcommand_from serve" -l no-progress -d 'Never draw progress bars (they are only drawn when stderr is a terminal)'
complete -c socialcrm -n "__fish_socialcrm_using_subcommand webhooks; and __fish_seen_subcommand_from serve" -l csv-raw -d 'Write CSV cells exactly as stored: by default a cell that a spreadsheet would run as a formula (starting with =, +, -, @, tab or CR, and not a plain number) gets a leading \''
complete -c socialcrm -n "__fish_socialcrm_using_subcommand webhooks; and __fish_seen_subcommand_from serve" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c socialcrm -n "__fish_socialcrm_using_subcommand webhooks; and __fish_seen_subcommand_from serve" -s V -l version -d 'Print version'
complete -c socialcrm -n "__fish_socialcrm_using_subcommand webhooks; and __fish_seen_subcommand_from help" -f -a "serve" -d 'Receive TikTok (POST /webhooks/tiktok), Instagram and X (GET+POST /webhooks/instagram, /webhooks/x) webhooks into the CRM'
complete -c socialcrm -n "__fish_socialcrm_using_subcommand webhooks; and __fish_seen_subcommand_from help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c socialcrm -n "__fish_socialcrm_using_subcommand completions" -l database-url -d 'The CRM database: postgres://user@host/db for PostgreSQL, sqlite:PATH for another SQLite file [default: $XDG_DATA_HOME/socialcrm/crm.db]' -r
complete -c socialcrm -n "__fish_socialcrm_using_subcommand completions" -l config -d 'Config file to read [default: $XDG_CONFIG_HOME/socialcrm/config.toml]' -r -F
complete -c socialcrm -n "__fish_socialcrm_using_subcommand completions" -s o -l output -d 'How to print results [default: table]' -r -f -a "table\t'Aligned columns for people'
json\t'A JSON document with stable field names, for scripts'
csv\t'Comma-separated values with a header row, for spreadsheets'"
complete -c socialcrm -n "__fish_socialcrm_using_subcommand completions" -l log-format -d 'Log lines as text, or as JSON objects (one per line, with their spans) for log shippers' -r -f -a "text\t'Plain lines, for people'
json\t'One object per line, for log shippers'"
complete -c socialcrm -n "__fish_socialcrm_using_subcommand completions" -s v -l verbose -d 'More log output on stderr (-v info, -vv debug, -vvv trace)'
complete -c socialcrm -n "__fish_socialcrm_using_subcommand completions" -s q -l quiet -d 'Only errors on stderr'
complete -c socialcrm -n "__fish_socialcrm_using_subcommand completions" -l no-progress -d 'Never draw progress bars (they are only drawn when stderr is a terminal)'
complete -c socialcrm -n "__fish_socialcrm_using_subcommand completions" -l csv-raw -d 'Write CSV cells exactly as stored: by default a cell that a spreadsheet would run as a formula (starting with =, +, -, @, tab or CR, and not a plain number) gets a leading \''
complete -c socialcrm -n "__fish_socialcrm_using_subcommand completions" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c socialcrm -n "__fish_socialcrm_using_subcommand completions" -s V -l version -d 'Print version'
complete -c socialcrm -n "__fish_socialcrm_using_subcommand man" -l dir -d 'Write socialcrm.1 and one page per subcommand into DIR instead of printing socialcrm.1' -r -F
complete -c socialcrm -n "__fish_socialcrm_using_subcommand man" -l database-url -d 'The CRM database: postgres://user@host/db for PostgreSQL, sqlite:PATH for another SQLite file [default: $XDG_DATA_HOME/socialcrm/crm.db]' -r
complete -c socialcrm -n "__fish_socialcrm_using_subcommand man" -l config -d 'Config file to read [default: $XDG_CONFIG_HOME/socialcrm/config.toml]' -r -F
complete -c socialcrm -n "__fish_socialcrm_using_subcommand man" -s o -l output -d 'How to print results [default: table]' -r -f -a "table\t'Aligned columns for people'
json\t'A JSON document with stable field names, for scripts'
csv\t'Comma-separated values with a header row, for spreadsheets'"
complete -c socialcrm -n "__fish_socialcrm_using_subcommand man" -l log-format -d 'Log lines as text, or as JSON objects (one per line, with their spans) for log shippers' -r -f -a "text\t'Plain lines, for people'
json\t'One object per line, for log shippers'"
complete -c socialcrm -n "__fish_socialcrm_using_subcommand man" -s v -l verbose -d 'More log output on stderr (-v info, -vv debug, -vvv trace)'
complete -c socialcrm -n "__fish_socialcrm_using_subcommand man" -s q -l quiet -d 'Only errors on stderr'
complete -c socialcrm -n "__fish_socialcrm_using_subcommand man" -l no-progress -d 'Never draw progress bars (they are only drawn when stderr is a terminal)'
complete -c socialcrm -n "__fish_socialcrm_using_subcommand man" -l csv-raw -d 'Write CSV cells exactly as stored: by default a cell that a spreadsheet would run as a formula (starting with =, +, -, @, tab or CR, and not a plain number) gets a leading \''
complete -c socialcrm -n "__fish_socialcrm_using_subcommand man" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c socialcrm -n "__fish_socialcrm_using_subcommand man" -s V -l version -d 'Print version'
complete -c socialcrm -n "__fish_socialcrm_using_subcommand help; and not __fish_seen_subcommand_from import-csv import-export connect disconnect accounts sync insights report upload post fans segments messages people posts export audit doctor db secrets webhooks completions man help" -f -a "import-csv" -d 'Import a platform\'s CSV export into the CRM'
complete -c socialcrm -n "__fish_socialcrm_using_subcommand help; and not __fish_seen_subcommand_from import-csv import-export connect disconnect accounts sync insights report upload post fans segments messages people posts export audit doctor db secrets webhooks completions man help" -f -a "import-export" -d 'Restore a socialcrm JSON Lines export (fans, posts, messages, analytics) into the CRM'
complete -c socialcrm -n "__fish_socialcrm_using_subcommand help; and not __fish_seen_subcommand_from import-csv import-export connect disconnect accounts sync insights report upload post fans segments messages people posts export audit doctor db secrets webhooks completions man help" -f -a "connect" -d 'Connect an account by OAuth: browser, loopback redirect, tokens into the secrets store'
complete -c socialcrm -n "__fish_socialcrm_using_subcommand help; and not __fish_seen_subcommand_from import-csv import-export connect disconnect accounts sync insights report upload post fans segments messages people posts export audit doctor db secrets webhooks completions man help" -f -a "disconnect" -d 'Revoke an account\'s tokens at the platform, delete them, mark the connection revoked'
complete -c socialcrm -n "__fish_socialcrm_using_subcommand help; and not __fish_seen_subcommand_from import-csv import-export connect disconnect accounts sync insights report upload post fans segments messages people posts export audit doctor db secrets webhooks completions man help" -f -a "accounts" -d 'Connected accounts: platform, account, user, status, scopes, token expiry, last sync'
complete -c socialcrm -n "__fish_socialcrm_using_subcommand help; and not __fish_seen_subcommand_from import-csv import-export connect disconnect accounts sync insights report upload post fans segments messages people posts export audit doctor db secrets webhooks completions man help" -f -a "sync" -d 'Fetch what is new from connected accounts into the CRM (cron: `socialcrm sync --all`)'
complete -c socialcrm -n "__fish_socialcrm_using_subcommand help; and not __fish_seen_subcommand_from import-csv import-export connect disconnect accounts sync insights report upload post fans segments messages people posts export audit doctor db secrets webhooks completions man help" -f -a "insights" -d 'Metrics over time from the CRM: latest values, changes, top posts, and charts'
complete -c socialcrm -n "__fish_socialcrm_using_subcommand help; and not __fish_seen_subcommand_from import-csv import-export connect disconnect accounts sync insights report upload post fans segments messages people posts export audit doctor db secrets webhooks completions man help" -f -a "report" -d 'Write a self-contained HTML report per account: figures, curves, top posts, revenue'
complete -c socialcrm -n "__fish_socialcrm_using_subcommand help; and not __fish_seen_subcommand_from import-csv import-export connect disconnect accounts sync insights report upload post fans segments messages people posts export audit doctor db secrets webhooks completions man help" -f -a "upload" -d 'Post a video file (TikTok: Direct Post, or --draft to the creator\'s inbox; Instagram: a reel; X: a post)'
complete -c socialcrm -n "__fish_socialcrm_using_subcommand help; and not __fish_seen_subcommand_from import-csv import-export connect disconnect accounts sync insights report upload post fans segments messages people posts export audit doctor db secrets webhooks completions man help" -f -a "post" -d 'Write a post from a connected account (Reddit: a link or text post to a subreddit; X: text, media, replies)'
complete -c socialcrm -n "__fish_socialcrm_using_subcommand help; and not __fish_seen_subcommand_from import-csv import-export connect disconnect accounts sync insights report upload post fans segments messages people posts export audit doctor db secrets webhooks completions man help" -f -a "fans" -d 'Fans: followers, commenters, DM correspondents and subscribers'
complete -c socialcrm -n "__fish_socialcrm_using_subcommand help; and not __fish_seen_subcommand_from import-csv import-export connect disconnect accounts sync insights report upload post fans segments messages people posts export audit doctor db secrets webhooks completions man help" -f -a "segments" -d 'Saved fan filters and the built-in ones (whales, new, cold), counted live'
complete -c socialcrm -n "__fish_socialcrm_using_subcommand help; and not __fish_seen_subcommand_from import-csv import-export connect disconnect accounts sync insights report upload post fans segments messages people posts export audit doctor db secrets webhooks completions man help" -f -a "messages" -d 'DMs and comments'
complete -c socialcrm -n "__fish_socialcrm_using_subcommand help; and not __fish_seen_subcommand_from import-csv import-export connect disconnect accounts sync insights report upload post fans segments messages people posts export audit doctor db secrets webhooks completions man help" -f -a "people" -d 'People: one person\'s identities across platforms, suggested links, decisions, undo'
complete -c socialcrm -n "__fish_socialcrm_using_subcommand help; and not __fish_seen_subcommand_from import-csv import-export connect disconnect accounts sync insights report upload post fans segments messages people posts export audit doctor db secrets webhooks completions man help" -f -a "posts" -d 'Synced posts and their metrics over time'
complete -c socialcrm -n "__fish_socialcrm_using_subcommand help; and not __fish_seen_subcommand_from import-csv import-export connect disconnect accounts sync insights report upload post fans segments messages people posts export audit doctor db secrets webhooks completions man help" -f -a "export" -d 'Write whole tables to files, CSV or JSON Lines, from one consistent snapshot'
complete -c socialcrm -n "__fish_socialcrm_using_subcommand help; and not __fish_seen_subcommand_from import-csv import-export connect disconnect accounts sync insights report upload post fans segments messages people posts export audit doctor db secrets webhooks completions man help" -f -a "audit" -d 'The record of who did what when (connect, sync, import, ...)'
complete -c socialcrm -n "__fish_socialcrm_using_subcommand help; and not __fish_seen_subcommand_from import-csv import-export connect disconnect accounts sync insights report upload post fans segments messages people posts export audit doctor db secrets webhooks completions man help" -f -a "doctor" -d 'Check the setup: configuration, database, secrets, credentials, tokens, clocks'
complete -c socialcrm -n "__fish_socialcrm_using_subcommand help; and not __fish_seen_subcommand_from import-csv import-export connect disconnect accounts sync insights report upload post fans segments messages people posts export audit doctor db secrets webhooks completions man help" -f -a "db" -d 'The CRM database: schema migrations and status'
complete -c socialcrm -n "__fish_socialcrm_using_subcommand help; and not __fish_seen_subcommand_from import-csv import-export connect disconnect accounts sync insights report upload post fans segments messages people posts export audit doctor db secrets webhooks completions man help" -f -a "secrets" -d 'The stored tokens: recover from a lost master key (`secrets reset`)'
complete -c socialcrm -n "__fish_socialcrm_using_subcommand help; and not __fish_seen_subcommand_from import-csv import-export connect disconnect accounts sync insights report upload post fans segments messages people posts export audit doctor db secrets webhooks completions man help" -f -a "webhooks" -d 'Receive platform webhooks (TikTok, Instagram, X) and record them'
complete -c socialcrm -n "__fish_socialcrm_using_subcommand help; and not __fish_seen_subcommand_from import-csv import-export connect disconnect accounts sync insights report upload post fans segments messages people posts export audit doctor db secrets webhooks completions man help" -f -a "completions" -d 'Print a shell completion script'
complete -c socialcrm -n "__fish_socialcrm_using_subcommand help; and not __fish_seen_subcommand_from import-csv import-export connect disconnect accounts sync insights report upload post fans segments messages people posts export audit doctor db secrets webhooks completions man help" -f -a "man" -d 'Print the man page, or write all of them to a directory'
complete -c socialcrm -n "__fish_socialcrm_using_subcommand help; and not __fish_seen_subcommand_from import-csv import-export connect disconnect accounts sync insights report upload post fans segments messages people posts export audit doctor db secrets webhooks completions man help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c socialcrm -n "__fish_socialcrm_using_subcommand help; and __fish_seen_subcommand_from insights" -f -a "attribution" -d 'Revenue and subscribers traced to posts, through OnlyFans tracking links: per source platform, per link (with the posts that carried it) and per post; revenue no post explains is its own "unattributed" line'
complete -c socialcrm -n "__fish_socialcrm_using_subcommand help; and __fish_seen_subcommand_from post" -f -a "x" -d 'Post to X: text, up to four media files, or a reply; prints the post\'s URL'
complete -c socialcrm -n "__fish_socialcrm_using_subcommand help; and __fish_seen_subcommand_from post" -f -a "reddit" -d 'Submit a link or text post to a subreddit, with a title and optionally a flair'
complete -c socialcrm -n "__fish_socialcrm_using_subcommand help; and __fish_seen_subcommand_from fans" -f -a "list" -d 'List fan relationships (one row per fan and account), a page at a time'
complete -c socialcrm -n "__fish_socialcrm_using_subcommand help; and __fish_seen_subcommand_from fans" -f -a "show" -d 'Show one fan: the identity, each account\'s relationship, their sum and latest messages'
complete -c socialcrm -n "__fish_socialcrm_using_subcommand help; and __fish_seen_subcommand_from fans" -f -a "tag" -d 'Tag a fan (idempotent: a tag already there stays as it was)'
complete -c socialcrm -n "__fish_socialcrm_using_subcommand help; and __fish_seen_subcommand_from fans" -f -a "untag" -d 'Take tags off a fan (idempotent: a tag that is not there is no error)'
complete -c socialcrm -n "__fish_socialcrm_using_subcommand help; and __fish_seen_subcommand_from fans" -f -a "note" -d 'Add a note to a fan: append-only, stamped with the time and the operator'
complete -c socialcrm -n "__fish_socialcrm_using_subcommand help; and __fish_seen_subcommand_from fans" -f -a "delete" -d 'Erase a fan: every row about them, in one transaction (a deletion request)'
complete -c socialcrm -n "__fish_socialcrm_using_subcommand help; and __fish_seen_subcommand_from segments" -f -a "create" -d 'Save a segment: a named `fans list` filter, evaluated live whenever it is used'
complete -c socialcrm -n "__fish_socialcrm_using_subcommand help; and __fish_seen_subcommand_from segments" -f -a "list" -d 'Every segment: the built-in ones, then the saved ones, with their definition and live count'
complete -c socialcrm -n "__fish_socialcrm_using_subcommand help; and __fish_seen_subcommand_from segments" -f -a "show" -d 'One segment: its definition, live count and the first page of its members'
complete -c socialcrm -n "__fish_socialcrm_using_subcommand help; and __fish_seen_subcommand_from segments" -f -a "delete" -d 'Delete a saved segment (the fans in it are not touched)'
complete -c socialcrm -n "__fish_socialcrm_using_subcommand help; and __fish_seen_subcommand_from messages" -f -a "list" -d 'List DMs and comments, oldest first, a page at a time'
complete -c socialcrm -n "__fish_socialcrm_using_subcommand help; and __fish_seen_subcommand_from people" -f -a "list" -d 'List people (fan identities linked across platforms), a page at a time'
complete -c socialcrm -n "__fish_socialcrm_using_subcommand help; and __fish_seen_subcommand_from people" -f -a "show" -d 'Show one person: every identity, per-account spend and activity, a message timeline'
complete -c socialcrm -n "__fish_socialcrm_using_subcommand help; and __fish_seen_subcommand_from people" -f -a "link" -d 'Link fan identities as one person (an operator\'s decision, kept with your name)'
complete -c socialcrm -n "__fish_socialcrm_using_subcommand help; and __fish_seen_subcommand_from people" -f -a "unlink" -d 'Take a fan out of its person, undoing the link exactly'
complete -c socialcrm -n "__fish_socialcrm_using_subcommand help; and __fish_seen_subcommand_from people" -f -a "suggest" -d 'Propose fan identities on different platforms that may be one person, with evidence'
complete -c socialcrm -n "__fish_socialcrm_using_subcommand help; and __fish_seen_subcommand_from people" -f -a "accept" -d 'Link a suggested pair (by its ID from `people suggest`), recording its evidence'
complete -c socialcrm -n "__fish_socialcrm_using_subcommand help; and __fish_seen_subcommand_from people" -f -a "reject" -d 'Record that a suggested pair is not one person: it is never suggested again'
complete -c socialcrm -n "__fish_socialcrm_using_subcommand help; and __fish_seen_subcommand_from posts" -f -a "list" -d 'List synced posts (videos, media, submissions, tweets) with their latest metrics'
complete -c socialcrm -n "__fish_socialcrm_using_subcommand help; and __fish_seen_subcommand_from posts" -f -a "show" -d 'Show one post: caption, URL, media type, published, latest metrics and their history'
complete -c socialcrm -n "__fish_socialcrm_using_subcommand help; and __fish_seen_subcommand_from audit" -f -a "list" -d 'List audit entries, oldest first, a page at a time'
complete -c socialcrm -n "__fish_socialcrm_using_subcommand help; and __fish_seen_subcommand_from db" -f -a "migrate" -d 'Apply pending schema migrations (other commands also do this on first use)'
complete -c socialcrm -n "__fish_socialcrm_using_subcommand help; and __fish_seen_subcommand_from db" -f -a "status" -d 'Show the backend, location, schema version and row counts per table'
complete -c socialcrm -n "__fish_socialcrm_using_subcommand help; and __fish_seen_subcommand_from secrets" -f -a "reset" -d 'Delete the stored tokens the current master key cannot open, after a lost master.key or SOCIALCRM_MASTER_KEY'
complete -c socialcrm -n "__fish_socialcrm_using_subcommand help; and __fish_seen_subcommand_from webhooks" -f -a "serve" -d 'Receive TikTok (POST /webhooks/tiktok), Instagram and X (GET+POST /webhooks/instagram, /webhooks/x) webhooks into the CRM'
