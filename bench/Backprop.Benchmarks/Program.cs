using BenchmarkDotNet.Running;

BenchmarkSwitcher.FromAssembly(typeof(Backprop.Benchmarks.TrainingStepBenchmarks).Assembly).Run(args);
