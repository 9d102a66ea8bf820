-- Uses `binlint lsp` through Neovim's built-in LSP client, as a user would: open a file,
-- wait for diagnostics, ask for code actions on one line, apply the quick fix, write the
-- buffer. The client is started by the set-up loaded before this script (the README's):
--
--   BINLINT_NVIM_FILE=bot.py BINLINT_NVIM_CODE=BL302 BINLINT_NVIM_RESULT=result.json \
--   nvim --headless --clean -n -i NONE -c "luafile setup.lua" -c "luafile neovim_lsp.lua"
--
-- Everything the test checks goes to the JSON result file; Neovim always quits.

local result = { steps = {} }
local timeout = tonumber(os.getenv("BINLINT_NVIM_TIMEOUT") or "60000")

local function finish(error_message)
  result.error = error_message
  result.nvim = vim.version and tostring(vim.version().major .. "." .. vim.version().minor .. "." .. vim.version().patch)
  local file = io.open(os.getenv("BINLINT_NVIM_RESULT"), "w")
  file:write(vim.fn.json_encode(result))
  file:close()
  vim.cmd("qall!")
end

local function step(name)
  table.insert(result.steps, name)
end

local function lsp_code(item)
  if item.code ~= nil then
    return item.code
  end
  local lsp = item.user_data and item.user_data.lsp
  return lsp and lsp.code or vim.NIL
end

local function diagnostics(bufnr)
  local found = {}
  for _, item in ipairs(vim.diagnostic.get(bufnr)) do
    table.insert(found, { code = lsp_code(item), line = item.lnum + 1, col = item.col + 1, source = item.source,
                          message = item.message })
  end
  table.sort(found, function(a, b)
    return a.line < b.line or (a.line == b.line and a.col < b.col)
  end)
  return found
end

local function has_code(bufnr, code)
  for _, item in ipairs(diagnostics(bufnr)) do
    if item.code == code then
      return item
    end
  end
  return nil
end

-- The LSP diagnostics on a line, as Neovim sends them with a code action request.
local function lsp_diagnostics(bufnr, line)
  local found = {}
  for _, item in ipairs(vim.diagnostic.get(bufnr, { lnum = line })) do
    local lsp = item.user_data and item.user_data.lsp
    if lsp and lsp.range then
      table.insert(found, lsp)
    else
      table.insert(found, {
        range = { start = { line = item.lnum, character = item.col },
                  ["end"] = { line = item.end_lnum or item.lnum, character = item.end_col or item.col } },
        message = item.message, code = lsp_code(item), source = item.source, severity = item.severity,
      })
    end
  end
  return found
end

local function run()
  local path = assert(os.getenv("BINLINT_NVIM_FILE"), "BINLINT_NVIM_FILE is not set")
  local code = os.getenv("BINLINT_NVIM_CODE") or "BL302"

  vim.cmd("edit " .. vim.fn.fnameescape(path))
  local bufnr = vim.api.nvim_get_current_buf()
  result.filetype = vim.bo[bufnr].filetype
  step("opened")

  -- The set-up under test (the README's snippet, loaded before this script) starts the client.
  local function attached()
    local clients = vim.lsp.get_clients and vim.lsp.get_clients({ bufnr = bufnr }) or vim.lsp.buf_get_clients(bufnr)
    for _, client in pairs(clients) do
      if client.name == "binlint" then
        return client.id
      end
    end
    return nil
  end
  if not vim.wait(timeout, function() return attached() ~= nil end, 50) then
    return finish("no binlint client attached to the buffer")
  end
  local client_id = attached()
  step("started")

  if not vim.wait(timeout, function() return has_code(bufnr, code) ~= nil end, 50) then
    result.diagnostics = diagnostics(bufnr)
    return finish("no " .. code .. " diagnostic arrived")
  end
  result.diagnostics = diagnostics(bufnr)
  step("diagnostics")

  local client = vim.lsp.get_client_by_id(client_id)
  local line = has_code(bufnr, code).line - 1
  local params = {
    textDocument = { uri = vim.uri_from_bufnr(bufnr) },
    range = { start = { line = line, character = 0 }, ["end"] = { line = line, character = 0 } },
    context = { diagnostics = lsp_diagnostics(bufnr, line), only = { "quickfix" } },
  }
  local responses = vim.lsp.buf_request_sync(bufnr, "textDocument/codeAction", params, timeout)
  if not responses or not responses[client_id] then
    return finish("no answer to textDocument/codeAction")
  end
  if responses[client_id].error then
    return finish("textDocument/codeAction failed: " .. vim.inspect(responses[client_id].error))
  end
  local chosen = nil
  result.actions = {}
  for _, action in ipairs(responses[client_id].result or {}) do
    table.insert(result.actions, action.title)
    if chosen == nil and action.title:sub(1, #code + 1) == code .. ":" then
      chosen = action
    end
  end
  if chosen == nil or chosen.edit == nil then
    return finish("no quick fix for " .. code .. " among the code actions")
  end
  result.applied = chosen.title
  vim.lsp.util.apply_workspace_edit(chosen.edit, client.offset_encoding or "utf-16")
  vim.cmd("write")
  step("written")

  -- The edit reaches the server as didChange; its next diagnostics no longer hold the finding.
  if not vim.wait(timeout, function() return has_code(bufnr, code) == nil end, 50) then
    result.after = diagnostics(bufnr)
    return finish(code .. " was still reported after the fix")
  end
  result.after = diagnostics(bufnr)
  step("rechecked")

  vim.lsp.stop_client(client_id)
  vim.wait(timeout, function() return vim.lsp.get_client_by_id(client_id) == nil end, 50)
  step("stopped")
  finish(nil)
end

local ok, error_message = pcall(run)
if not ok then
  finish("script error: " .. tostring(error_message))
end
