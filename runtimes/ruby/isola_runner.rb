# Isola's Ruby entry conventions (the wasi lane), the same as Python's (runtimes/python/isola_runner.py):
#
# - "script": the code runs at the top level; inputs.json is in the working directory and on $stdin.
# - "main": the code's top-level statements run, then `main` is called with the inputs as keyword
#   arguments (keys it does not take are dropped unless it takes **kwargs; a method that takes one
#   positional parameter and no keywords gets the inputs Hash), and its return value is the output.
# - "auto": "main" when the code defines a top-level `main` and never calls it itself while its
#   statements run, else "script".
#
# Loaded once per worker into Ruby's boot image; each execution calls IsolaRunner.run.
# The result goes to RESULT_PATH as JSON: {"mode", "exit_code", "return_json", "failure"}. The host reads
# it as untrusted data: user code runs in the same interpreter and could write that file itself.
# `exit n` is exit code n; an exception is exit code 1 with failure "exception" (message "Class: text",
# its backtrace also on $stderr, as ruby prints it); NoMemoryError is failure "memory_limit".
require "json"

module IsolaRunner
  RESULT_PATH = "/tmp/.isola-result.json"

  def self.run(code, mode, output_limit)
    # Every execution starts from the same boot image: its generator must not repeat another's.
    srand
    result = { "mode" => mode == "main" ? "main" : "script", "exit_code" => 0, "return_json" => nil, "failure" => nil }
    watch = mode == "script" ? nil : watch_main
    begin
      TOPLEVEL_BINDING.eval(code, "main.rb", 1)
      defined = Object.private_method_defined?(:main) || Object.method_defined?(:main)
      call = mode == "main" || (mode == "auto" && watch[:defined] && !watch[:called])
      if call
        result["mode"] = "main"
        raise NameError, "undefined method 'main': function mode needs `def main(**inputs)`" unless defined
        value = call_main(JSON.parse(File.read("inputs.json")), watch && watch[:original])
        result["return_json"] = to_json(value, output_limit, result)
      end
    rescue SystemExit => e
      result["exit_code"] = e.status
    rescue NoMemoryError => e
      result["exit_code"] = 1
      result["failure"] = { "type" => "memory_limit", "message" => "#{e.class}: #{e.message}" }
    rescue Exception => e # rubocop:disable Lint/RescueException -- everything the user's code raises is its result
      result["exit_code"] = 1
      trace = e.full_message(highlight: false)
      $stderr.write(trace)
      result["failure"] = { "type" => "exception", "message" => "#{e.class}: #{e.message}", "traceback" => trace }
    ensure
      unwatch_main
      $stdout.flush
      $stderr.flush
    end
    File.binwrite(RESULT_PATH, JSON.generate(result))
  end

  # Notes whether the code defines a top-level main and whether it calls it while its statements run:
  # the definition is wrapped as it is made, and the wrapper marks the call.
  def self.watch_main
    state = { defined: false, called: false, wrapping: false, original: nil }
    Object.define_singleton_method(:method_added) do |name|
      next unless name == :main && !state[:wrapping]

      state[:defined] = true
      state[:wrapping] = true
      original = Object.instance_method(:main)
      state[:original] = original
      Object.send(:define_method, :main) do |*args, **kwargs, &block|
        state[:called] = true
        original.bind_call(self, *args, **kwargs, &block)
      end
      Object.send(:private, :main)
      state[:wrapping] = false
    end
    state
  end

  def self.unwatch_main
    Object.singleton_class.send(:remove_method, :method_added) if Object.singleton_class.method_defined?(:method_added, false)
  rescue NameError
    nil
  end

  # Calls the method the user wrote (not the auto-mode wrapper), with the inputs its parameters take.
  def self.call_main(inputs, original)
    target = original || Object.instance_method(:main)
    params = target.parameters
    kinds = params.map(&:first)
    call = ->(*args, **kwargs) { target.bind_call(TOPLEVEL_BINDING.receiver, *args, **kwargs) }
    return call.call if params.empty?
    return call.call(inputs) unless inputs.is_a?(Hash)
    return call.call(**inputs.transform_keys(&:to_sym)) if kinds.include?(:keyrest)

    names = params.select { |kind, _| %i[key keyreq].include?(kind) }.map(&:last)
    return call.call(inputs) if names.empty? && kinds.any? { |kind| %i[req opt].include?(kind) }

    call.call(**inputs.select { |key, _| names.include?(key.to_sym) }.transform_keys(&:to_sym))
  end

  def self.to_json(value, limit, result)
    text = JSON.generate(value)
    if text.bytesize > limit
      result["failure"] = { "type" => "output_limit", "message" => "the return value of main() is #{text.bytesize} bytes; the limit is #{limit}" }
      return nil
    end
    text
  rescue JSON::GeneratorError, JSON::NestingError => e
    result["exit_code"] = 1
    result["failure"] = { "type" => "invalid_output", "message" => "the return value of main() is not JSON: #{e.message}" }
    nil
  end
end
